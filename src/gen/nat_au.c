/* gen/nat_au: Australia. Postcodes are 3-4 digit numbers. */
#include "gen/locale.h"

static const char *const male[] = {"Jack",    "Lachlan", "Cooper", "Riley",  "Harrison", "Mitchell",
                                   "Liam",    "Ethan",   "Hamish", "Angus",  "Bailey",   "Darcy",
                                   "Flynn",   "Jett",    "Callum", "Brodie", "Dylan",    "Max",
                                   "Zac",     "Kyle",    "Nathan", "Tyson",  "Bradley",  "Corey",
                                   "Lincoln", "Archer",  "Hudson", "Ned"};
static const char *const female[] = {
    "Charlotte", "Matilda", "Ruby",    "Chloe",   "Mia",    "Zoe",    "Sienna",
    "Isla",      "Olivia",  "Grace",   "Ella",    "Jade",   "Kayla",  "Tahlia",
    "Brooke",    "Lauren",  "Georgia", "Madison", "Abbey",  "Holly",  "Jasmine",
    "Kirra",     "Piper",   "Willow",  "Eloise",  "Harper", "Sophie", "Bonnie"};
static const char *const last[] = {
    "Smith",   "Jones",  "Williams", "Brown",    "Wilson",   "Taylor",   "Nguyen",   "Johnson",
    "Martin",  "White",  "Anderson", "Walker",   "Thompson", "Thomas",   "Lee",      "Ryan",
    "Kelly",   "Harris", "King",     "Campbell", "Murphy",   "Robinson", "Mitchell", "Young",
    "O'Brien", "Hughes", "Stewart",  "Evans",    "Wood",     "Lewis",    "Cooper",   "McDonald"};
static const char *const streets[] = {
    "George Street",    "Pitt Street",     "Bourke Street",    "Flinders Lane", "Queen Street",
    "Brunswick Street", "Hunter Street",   "King Street",      "Oxford Street", "Parramatta Road",
    "Smith Street",     "Victoria Parade", "Elizabeth Street", "Ann Street",    "Hay Street",
    "Rundle Street",    "Murray Street",   "Macquarie Street", "Bridge Road",   "Glebe Point Road",
    "Station Street",   "Beach Road "};
static const struct up_place places[] = {{"Sydney", "New South Wales"},
                                         {"Newcastle", "New South Wales"},
                                         {"Wollongong", "New South Wales"},
                                         {"Wagga Wagga", "New South Wales"},
                                         {"Melbourne", "Victoria"},
                                         {"Geelong", "Victoria"},
                                         {"Ballarat", "Victoria"},
                                         {"Bendigo", "Victoria"},
                                         {"Brisbane", "Queensland"},
                                         {"Cairns", "Queensland"},
                                         {"Townsville", "Queensland"},
                                         {"Toowoomba", "Queensland"},
                                         {"Mackay", "Queensland"},
                                         {"Perth", "Western Australia"},
                                         {"Bunbury", "Western Australia"},
                                         {"Adelaide", "South Australia"},
                                         {"Mount Gambier", "South Australia"},
                                         {"Hobart", "Tasmania"},
                                         {"Launceston", "Tasmania"},
                                         {"Darwin", "Northern Territory"},
                                         {"Alice Springs", "Northern Territory"},
                                         {"Canberra", "Australian Capital Territory"}};
static const struct up_postcode postcodes[] = {{"N###", true}, {"N##", true}};
static const char *const phones[] = {"0#-####-####"};
static const char *const cells[] = {"04##-###-###"};
static const char *const ids[] = {"#########"};
static const struct up_tz tzs[] = {{"+10:00", "Eastern Australia, Sydney, Melbourne, Brisbane"},
                                   {"+9:30", "Adelaide, Darwin"},
                                   {"+8:00", "Perth"},
                                   {"+11:00", "Eastern Australia summer time"}};

const struct up_locale up_locale_AU = {
    .code = "AU",
    .country = "Australia",
    .cells = UP_STRS(cells),
    .id_name = "TFN",
    .id_values = UP_STRS(ids),
    .lat_min = -435000,
    .lat_max = -110000,
    .lon_min = 1130000,
    .lon_max = 1535000,
    UP_LOCALE_ARRAYS,
};
