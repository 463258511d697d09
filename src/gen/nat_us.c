/* gen/nat_us: United States. */
#include "gen/locale.h"

static const char *const male[] = {
    "James",  "John",    "Robert",  "Michael", "William",  "David",  "Richard",  "Joseph",
    "Thomas", "Charles", "Daniel",  "Matthew", "Anthony",  "Mark",   "Steven",   "Paul",
    "Andrew", "Joshua",  "Kenneth", "Kevin",   "Brian",    "George", "Timothy",  "Ronald",
    "Jason",  "Ryan",    "Jacob",   "Gary",    "Nicholas", "Eric",   "Jonathan", "Larry"};
static const char *const female[] = {
    "Mary",      "Patricia", "Jennifer", "Linda",    "Elizabeth", "Barbara",  "Susan",   "Jessica",
    "Sarah",     "Karen",    "Lisa",     "Nancy",    "Betty",     "Margaret", "Sandra",  "Ashley",
    "Kimberly",  "Emily",    "Donna",    "Michelle", "Carol",     "Amanda",   "Melissa", "Deborah",
    "Stephanie", "Rebecca",  "Sharon",   "Laura",    "Cynthia",   "Kathleen", "Amy",     "Shirley"};
static const char *const last[] = {
    "Smith",     "Johnson",  "Williams",  "Brown",   "Jones",    "Garcia",   "Miller",   "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez",   "Gonzalez", "Wilson",   "Anderson", "Thomas",
    "Taylor",    "Moore",    "Jackson",   "Martin",  "Lee",      "Perez",    "Thompson", "White",
    "Harris",    "Sanchez",  "Clark",     "Ramirez", "Lewis",    "Robinson", "Walker",   "Young",
    "Allen",     "King",     "Wright",    "Scott",   "Torres",   "Nguyen",   "Hill",     "Flores"};
static const char *const streets[] = {
    "Main St",      "Oak Ridge Ln",     "Pine Rd",        "Maple Ave",       "Cedar St",
    "Elm St",       "Washington Ave",   "Lake St",        "Hillcrest Rd",    "Park Ave",
    "W Sherman Dr", "Mockingbird Hill", "Valley View Ln", "Railroad St",     "Church St",
    "Spring St",    "N Stelling Rd",    "Prospect Rd",    "Country Club Rd", "Homestead Rd",
    "Harrison Ct",  "Brown Terrace",    "Fairview St",    "Wycliff Ave"};
static const struct up_place places[] = {{"Seattle", "Washington"},
                                         {"Spokane", "Washington"},
                                         {"Portland", "Oregon"},
                                         {"Eugene", "Oregon"},
                                         {"Fresno", "California"},
                                         {"San Jose", "California"},
                                         {"Sacramento", "California"},
                                         {"Reno", "Nevada"},
                                         {"Boise", "Idaho"},
                                         {"Denver", "Colorado"},
                                         {"Tucson", "Arizona"},
                                         {"Albuquerque", "New Mexico"},
                                         {"El Paso", "Texas"},
                                         {"Austin", "Texas"},
                                         {"Wichita", "Kansas"},
                                         {"Omaha", "Nebraska"},
                                         {"Des Moines", "Iowa"},
                                         {"Madison", "Wisconsin"},
                                         {"Toledo", "Ohio"},
                                         {"Louisville", "Kentucky"},
                                         {"Memphis", "Tennessee"},
                                         {"Birmingham", "Alabama"},
                                         {"Savannah", "Georgia"},
                                         {"Orlando", "Florida"},
                                         {"Raleigh", "North Carolina"},
                                         {"Richmond", "Virginia"},
                                         {"Buffalo", "New York"},
                                         {"Hartford", "Connecticut"},
                                         {"Providence", "Rhode Island"},
                                         {"Anchorage", "Alaska"}};
static const struct up_postcode postcodes[] = {{"N####", true}};
static const char *const phones[] = {"(###) ###-####"};
static const char *const ids[] = {"###-##-####"};
static const struct up_tz tzs[] = {{"-5:00", "Eastern Time (US & Canada), New York, Atlanta"},
                                   {"-6:00", "Central Time (US & Canada), Chicago, Dallas"},
                                   {"-7:00", "Mountain Time (US & Canada), Denver, Phoenix"},
                                   {"-8:00", "Pacific Time (US & Canada), Los Angeles, Seattle"},
                                   {"-9:00", "Alaska"},
                                   {"-10:00", "Hawaii"}};

const struct up_locale up_locale_US = {
    .code = "US",
    .country = "United States",
    .cells = UP_STRS(phones),
    .id_name = "SSN",
    .id_values = UP_STRS(ids),
    .lat_min = 255000,
    .lat_max = 490000,
    .lon_min = -1245000,
    .lon_max = -690000,
    UP_LOCALE_ARRAYS,
};
