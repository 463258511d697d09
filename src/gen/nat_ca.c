/* gen/nat_ca: Canada. Postcodes are strings ("K1A 0B1"); phones carry capital
 * letters as upstream's do ("H47 X86-2452"). */
#include "gen/locale.h"

static const char *const male[] = {
    "Liam",    "Noah",    "William", "Logan",   "Benjamin", "Lucas",   "Jacob",
    "Nathan",  "Ethan",   "Owen",    "Samuel",  "Félix",    "Antoine", "Mathis",
    "Zachary", "Olivier", "Gabriel", "Émile",   "Xavier",   "Thomas",  "Alexandre",
    "Hunter",  "Connor",  "Brayden", "Tristan", "Jérôme",   "Maxime",  "Wyatt"};
static const char *const female[] = {
    "Olivia",   "Emma",    "Charlotte", "Léa",     "Chloé",     "Alice",    "Florence",
    "Béatrice", "Rosalie", "Maëlle",    "Sophie",  "Ava",       "Amélie",   "Juliette",
    "Laurie",   "Mégane",  "Abigail",   "Madison", "Hannah",    "Brooklyn", "Avery",
    "Claire",   "Noémie",  "Élodie",    "Kaitlyn", "Mackenzie", "Zoé",      "Justine"};
static const char *const last[] = {
    "Tremblay",  "Gagnon",    "Roy",      "Côté",     "Bouchard",  "Gauthier", "Morin",
    "Lavoie",    "Fortin",    "Gagné",    "Ouellet",  "Pelletier", "Bélanger", "Lévesque",
    "Bergeron",  "Leblanc",   "Smith",    "Brown",    "Tremblay",  "Martin",   "Wilson",
    "MacDonald", "Taylor",    "Campbell", "Anderson", "Thompson",  "Singh",    "Li",
    "Chan",      "St-Pierre", "Gill",     "Clark"};
static const char *const streets[] = {
    "Dufferin St",    "Yonge St",        "Bloor St",
    "Queen St",       "King St",         "Main St",
    "Rue Sherbrooke", "Rue Saint-Denis", "Boulevard René-Lévesque",
    "Rue Ontario",    "Portage Ave",     "Jasper Ave",
    "Granville St",   "Robson St",       "Barrington St",
    "Bank St",        "Elgin St",        "Duke St",
    "Regent Ave",     "Lakeshore Rd",    "Pine Rd",
    "Parliament St "};
static const struct up_place places[] = {{"Toronto", "Ontario"},
                                         {"Ottawa", "Ontario"},
                                         {"Hamilton", "Ontario"},
                                         {"London", "Ontario"},
                                         {"Kingston", "Ontario"},
                                         {"Montréal", "Québec"},
                                         {"Québec", "Québec"},
                                         {"Laval", "Québec"},
                                         {"Gatineau", "Québec"},
                                         {"Sherbrooke", "Québec"},
                                         {"Vancouver", "British Columbia"},
                                         {"Victoria", "British Columbia"},
                                         {"Kelowna", "British Columbia"},
                                         {"Calgary", "Alberta"},
                                         {"Edmonton", "Alberta"},
                                         {"Red Deer", "Alberta"},
                                         {"Winnipeg", "Manitoba"},
                                         {"Regina", "Saskatchewan"},
                                         {"Saskatoon", "Saskatchewan"},
                                         {"Halifax", "Nova Scotia"},
                                         {"Moncton", "New Brunswick"},
                                         {"St. John's", "Newfoundland and Labrador"},
                                         {"Charlottetown", "Prince Edward Island"},
                                         {"Whitehorse", "Yukon"},
                                         {"Yellowknife", "Northwest Territories"}};
static const struct up_postcode postcodes[] = {{"A#A #A#", false}};
static const char *const phones[] = {"A## A##-####"};
static const char *const ids[] = {"### ### ###"};
static const struct up_tz tzs[] = {{"-3:30", "Newfoundland"},
                                   {"-4:00", "Atlantic Time (Canada), Halifax"},
                                   {"-5:00", "Eastern Time (US & Canada), Toronto, Montreal"},
                                   {"-6:00", "Central Time (US & Canada), Winnipeg, Regina"},
                                   {"-7:00", "Mountain Time (US & Canada), Calgary, Edmonton"},
                                   {"-8:00", "Pacific Time (US & Canada), Vancouver"}};

const struct up_locale up_locale_CA = {
    .code = "CA",
    .country = "Canada",
    .cells = UP_STRS(phones),
    .id_name = "SIN",
    .id_values = UP_STRS(ids),
    .lat_min = 425000,
    .lat_max = 600000,
    .lon_min = -1350000,
    .lon_max = -550000,
    UP_LOCALE_ARRAYS,
};
