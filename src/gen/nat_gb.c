/* gen/nat_gb: United Kingdom. Postcodes are strings ("CE2 7FA"). */
#include "gen/locale.h"

static const char *const male[] = {"Oliver", "Harry",   "George", "Jack",   "Charlie", "Thomas",
                                   "Oscar",  "William", "Alfie",  "Henry",  "Leo",     "Archie",
                                   "Joshua", "Freddie", "Arthur", "Noah",   "Edward",  "Rhys",
                                   "Callum", "Owen",    "Dylan",  "Lewis",  "Euan",    "Alistair",
                                   "Niall",  "Declan",  "Ieuan",  "Gareth", "Hamish",  "Rory"};
static const char *const female[] = {
    "Olivia",  "Amelia",  "Isla",      "Ava",    "Emily",    "Sophie",  "Grace",    "Poppy",
    "Jessica", "Ella",    "Charlotte", "Lily",   "Evie",     "Freya",   "Isabelle", "Chloe",
    "Megan",   "Eleanor", "Harriet",   "Imogen", "Rhiannon", "Siân",    "Caitlin",  "Eilidh",
    "Niamh",   "Zoë",     "Bethan",    "Morag",  "Abigail",  "Florence"};
static const char *const last[] = {
    "Smith",     "Jones",  "Taylor",   "Brown",    "Williams", "Wilson",    "Johnson", "Davies",
    "Robinson",  "Wright", "Thompson", "Evans",    "Walker",   "White",     "Roberts", "Green",
    "Hall",      "Wood",   "Jackson",  "Clarke",   "Patel",    "Khan",      "Hughes",  "Edwards",
    "Morgan",    "Price",  "Ellis",    "Fletcher", "Lloyd",    "Macdonald", "O'Neill", "Ap Rhys",
    "Griffiths", "Baker",  "Cooper",   "Ward"};
static const char *const streets[] = {
    "High Street",  "Station Road",     "Church Lane",  "Mill Lane",       "Victoria Road",
    "Green Lane",   "Manor Road",       "Kings Road",   "Queensway",       "The Drive",
    "Grange Road",  "Springfield Road", "Chester Road", "Park Lane",       "London Road",
    "Albert Road",  "Stanley Road",     "York Road",    "Brick Kiln Road", "New Road",
    "Windsor Road", "The Crescent ",    "Mill Road",    "Richmond Road"};
static const struct up_place places[] = {{"Manchester", "Greater Manchester"},
                                         {"Salford", "Greater Manchester"},
                                         {"Liverpool", "Merseyside"},
                                         {"Leeds", "West Yorkshire"},
                                         {"Sheffield", "South Yorkshire"},
                                         {"York", "North Yorkshire"},
                                         {"Newcastle upon Tyne", "Tyne and Wear"},
                                         {"Birmingham", "West Midlands"},
                                         {"Coventry", "West Midlands"},
                                         {"Nottingham", "Nottinghamshire"},
                                         {"Leicester", "Leicestershire"},
                                         {"Norwich", "Norfolk"},
                                         {"Cambridge", "Cambridgeshire"},
                                         {"Oxford", "Oxfordshire"},
                                         {"Bristol", "Avon"},
                                         {"Exeter", "Devon"},
                                         {"Plymouth", "Devon"},
                                         {"Brighton and Hove", "East Sussex"},
                                         {"Canterbury", "Kent"},
                                         {"London", "Greater London"},
                                         {"Cardiff", "South Glamorgan"},
                                         {"Swansea", "West Glamorgan"},
                                         {"Edinburgh", "Lothian"},
                                         {"Glasgow", "Strathclyde"},
                                         {"Aberdeen", "Grampian"},
                                         {"Inverness", "Highlands and Islands"},
                                         {"Belfast", "County Antrim"},
                                         {"Derry", "County Londonderry"}};
static const struct up_postcode postcodes[] = {
    {"A# #AA", false}, {"A## #AA", false}, {"AA# #AA", false}, {"AA## #AA", false}};
static const char *const phones[] = {"0#### ######", "0### ### ####", "0## #### ####"};
static const char *const cells[] = {"07### ######", "07## ### ####"};
static const char *const ids[] = {"AA ## ## ## A"};
static const struct up_tz tzs[] = {{"0:00", "Greenwich Mean Time, London, Edinburgh"},
                                   {"+1:00", "British Summer Time, London, Cardiff"}};

const struct up_locale up_locale_GB = {
    .code = "GB",
    .country = "United Kingdom",
    .cells = UP_STRS(cells),
    .id_name = "NINO",
    .id_values = UP_STRS(ids),
    .lat_min = 500000,
    .lat_max = 585000,
    .lon_min = -60000,
    .lon_max = 17000,
    UP_LOCALE_ARRAYS,
};
