/* gen/nat_ie: Ireland. */
#include "gen/locale.h"

static const char *const male[] = {"Seán",    "Conor",  "Cian",   "Darragh", "Oisín",  "Ciarán",
                                   "Pádraig", "Tadhg",  "Eoin",   "Liam",    "Jack",   "Niall",
                                   "Ruairí",  "Dónal",  "Colm",   "Fionn",   "Cathal", "Diarmuid",
                                   "Éamon",   "Aidan",  "Kevin",  "Declan",  "Shane",  "Rory",
                                   "Brendan", "Séamus", "Lorcan", "Odhrán"};
static const char *const female[] = {"Aoife",   "Siobhán", "Niamh",  "Saoirse", "Caoimhe", "Róisín",
                                     "Aisling", "Sinéad",  "Orla",   "Clodagh", "Gráinne", "Méabh",
                                     "Éabha",   "Ciara",   "Órla",   "Deirdre", "Emma",    "Sarah",
                                     "Laura",   "Mary",    "Bríd",   "Nuala",   "Úna",     "Máire",
                                     "Fiadh",   "Ailbhe",  "Sorcha", "Clíona"};
static const char *const last[] = {
    "Murphy",         "Kelly",         "O'Sullivan", "Walsh",      "Smith",    "O'Brien",
    "Byrne",          "Ryan",          "O'Connor",   "O'Neill",    "O'Reilly", "Doyle",
    "McCarthy",       "Gallagher",     "O'Doherty",  "Kennedy",    "Lynch",    "Murray",
    "Quinn",          "Moore",         "McLoughlin", "O'Carroll",  "Connolly", "Daly",
    "Ó Súilleabháin", "Mac Cárthaigh", "Ní Bhriain", "Fitzgerald", "Brennan",  "Burke",
    "Collins",        "Flynn"};
static const char *const streets[] = {
    "Main Street",       "Church Street", "The Green",      "Grafton Street", "O'Connell Street",
    "Mill Road",         "Bridge Street", "Patrick Street", "Castle Street",  "New Street",
    "Chapel Lane",       "Convent Road",  "Station Road",   "The Mall",       "Strand Road",
    "Sráid an Mhuilinn", "Bóthar na Trá", "Dame Street",    "Pearse Street",  "Cathedral Road "};
static const struct up_place places[] = {
    {"Dublin", "Dublin"},       {"Dún Laoghaire", "Dún Laoghaire–Rathdown"},
    {"Swords", "Fingal"},       {"Cork", "Cork"},
    {"Cobh", "Cork"},           {"Limerick", "Limerick"},
    {"Galway", "Galway"},       {"Tuam", "Galway"},
    {"Waterford", "Waterford"}, {"Drogheda", "Louth"},
    {"Dundalk", "Louth"},       {"Kilkenny", "Kilkenny"},
    {"Ennis", "Clare"},         {"Tralee", "Kerry"},
    {"Killarney", "Kerry"},     {"Sligo", "Sligo"},
    {"Athlone", "Westmeath"},   {"Mullingar", "Westmeath"},
    {"Wexford", "Wexford"},     {"Letterkenny", "Donegal"},
    {"Carlow", "Carlow"},       {"Navan", "Meath"},
    {"Castlebar", "Mayo"},      {"Naas", "Kildare"}};
static const struct up_postcode postcodes[] = {{"N####", true}};
static const char *const phones[] = {"0##-###-####"};
static const char *const cells[] = {"08#-###-####"};
static const char *const ids[] = {"#######A"};
static const struct up_tz tzs[] = {{"0:00", "Dublin, Edinburgh, Lisbon, London"},
                                   {"+1:00", "Irish Standard Time"}};

const struct up_locale up_locale_IE = {
    .code = "IE",
    .country = "Ireland",
    .cells = UP_STRS(cells),
    .id_name = "PPS",
    .id_values = UP_STRS(ids),
    .lat_min = 515000,
    .lat_max = 553000,
    .lon_min = -100000,
    .lon_max = -60000,
    UP_LOCALE_ARRAYS,
};
