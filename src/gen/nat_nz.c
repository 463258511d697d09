/* gen/nat_nz: New Zealand. No national id (null). */
#include "gen/locale.h"

static const char *const male[] = {
    "Oliver", "Jack",  "Noah",   "Leo",    "George", "Lucas", "Hunter",  "Mason",  "Liam",
    "Nikau",  "Tama",  "Rāwiri", "Wiremu", "Manaia", "Tāne",  "Ariki",   "Hamish", "Blake",
    "Logan",  "Caleb", "Jayden", "Finn",   "Cooper", "Ryder", "Te Koha", "Riley"};
static const char *const female[] = {
    "Isla",    "Charlotte", "Olivia",   "Amelia",   "Harper", "Mia",   "Ruby",
    "Ella",    "Aroha",     "Mereana",  "Anahera",  "Kaia",   "Māia",  "Ngaio",
    "Hine",    "Tui",       "Sophie",   "Zoe",      "Hannah", "Grace", "Paige",
    "Jessica", "Lily",      "Maddison", "Te Aroha", "Brooke"};
static const char *const last[] = {
    "Smith",    "Wilson",   "Williams", "Brown", "Taylor",  "Jones",   "Walker",   "Harris",
    "Thompson", "Anderson", "Robinson", "White", "Martin",  "Young",   "Campbell", "Mitchell",
    "Ngata",    "Parata",   "Tāwhiao",  "Waaka", "Te Whiu", "Pōmare",  "Ruatapu",  "Ngāwhika",
    "O'Connor", "Clarke",   "King",     "Scott", "Hughes",  "Edwards", "Turner",   "Moore"};
static const char *const streets[] = {
    "Queen Street",     "Victoria Street",  "Cuba Street",   "Colombo Street",   "George Street",
    "Lambton Quay",     "Karangahape Road", "Ponsonby Road", "Great North Road", "Dominion Road",
    "Riddiford Street", "Dee Street",       "Devon Street",  "Te Rapa Road",     "Tay Street",
    "Awatea Road",      "Marine Parade",    "Whanga Road",   "Kāpiti Road ",     "Manuka Street"};
static const struct up_place places[] = {{"Auckland", "Auckland"},
                                         {"Manukau City", "Auckland"},
                                         {"North Shore", "Auckland"},
                                         {"Wellington", "Wellington"},
                                         {"Lower Hutt", "Wellington"},
                                         {"Porirua", "Wellington"},
                                         {"Christchurch", "Canterbury"},
                                         {"Timaru", "Canterbury"},
                                         {"Hamilton", "Waikato"},
                                         {"Tauranga", "Bay of Plenty"},
                                         {"Rotorua", "Bay of Plenty"},
                                         {"Dunedin", "Otago"},
                                         {"Queenstown", "Otago"},
                                         {"Palmerston North", "Manawatū-Whanganui"},
                                         {"Whanganui", "Manawatū-Whanganui"},
                                         {"Napier", "Hawke's Bay"},
                                         {"Hastings", "Hawke's Bay"},
                                         {"Nelson", "Nelson"},
                                         {"New Plymouth", "Taranaki"},
                                         {"Whangārei", "Northland"},
                                         {"Invercargill", "Southland"},
                                         {"Gisborne", "Gisborne"},
                                         {"Blenheim", "Marlborough"}};
static const struct up_postcode postcodes[] = {{"N###", true}};
static const char *const phones[] = {"(0##)-###-####"};
static const char *const cells[] = {"(02#)-###-####"};
static const struct up_tz tzs[] = {{"+12:00", "Auckland, Wellington, Fiji"},
                                   {"+13:00", "New Zealand Daylight Time"},
                                   {"+12:45", "Chatham Islands"}};

const struct up_locale up_locale_NZ = {
    .code = "NZ",
    .country = "New Zealand",
    .cells = UP_STRS(cells),
    .id_name = "",
    .lat_min = -465000,
    .lat_max = -345000,
    .lon_min = 1665000,
    .lon_max = 1785000,
    UP_LOCALE_ARRAYS,
};
