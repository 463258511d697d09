/* gen/nat_nl: Netherlands. Postcodes come both as numbers and as strings
 * ("4642 RG"), as the live service sends them. */
#include "gen/locale.h"

static const char *const male[] = {"Daan",     "Sem",   "Lucas",  "Levi",   "Finn",   "Bram",
                                   "Jesse",    "Thijs", "Ruben",  "Lars",   "Sven",   "Joris",
                                   "Gijs",     "Stijn", "Wouter", "Bas",    "Pieter", "Jan Willem",
                                   "Maarten",  "Koen",  "Jeroen", "Thomas", "Niels",  "Teun",
                                   "Mohammed", "Jaïr",  "Siebe",  "Hendrik"};
static const char *const female[] = {
    "Emma",       "Julia", "Sophie", "Tess",  "Mila",   "Sara",    "Fleur",
    "Lotte",      "Anouk", "Femke",  "Sanne", "Ilse",   "Marloes", "Ineke",
    "Annemiek",   "Lieke", "Noor",   "Floor", "Roos",   "Maartje", "Eefje",
    "Anne Marie", "Zoë",   "Chloë",  "Naomi", "Joëlle", "Merel",   "Saskia"};
static const char *const last[] = {
    "de Jong",     "Jansen",  "de Vries", "van den Berg", "van Dijk", "Bakker",   "Janssen",
    "Visser",      "Smit",    "Meijer",   "de Boer",      "Mulder",   "de Groot", "Bos",
    "Vos",         "Peters",  "Hendriks", "van Leeuwen",  "Dekker",   "Brouwer",  "de Wit",
    "Dijkstra",    "Smits",   "de Graaf", "van der Meer", "Kok",      "Jacobs",   "van 't Hof",
    "Schoenmaker", "Pauwels", "Koster",   "Huisman"};
static const char *const streets[] = {
    "Kerkstraat",    "Schoolstraat",   "Molenstraat",      "Dorpsstraat",     "Julianastraat",
    "Beatrixstraat", "Nieuwstraat",    "Wilhelminastraat", "Emmastraat",      "Stationsweg",
    "Kastanjelaan",  "Prinsengracht",  "Keizersgracht",    "Oude Gracht",     "Lindenlaan",
    "Eikenlaan",     "Sint Janstraat", "Het Rond",         "Achter de Kerk ", "Heuvelstraat"};
static const struct up_place places[] = {
    {"Amsterdam", "Noord-Holland"}, {"Haarlem", "Noord-Holland"},
    {"Alkmaar", "Noord-Holland"},   {"Rotterdam", "Zuid-Holland"},
    {"Den Haag", "Zuid-Holland"},   {"Leiden", "Zuid-Holland"},
    {"Delft", "Zuid-Holland"},      {"Utrecht", "Utrecht"},
    {"Amersfoort", "Utrecht"},      {"Eindhoven", "Noord-Brabant"},
    {"Tilburg", "Noord-Brabant"},   {"'s-Hertogenbosch", "Noord-Brabant"},
    {"Breda", "Noord-Brabant"},     {"Groningen", "Groningen"},
    {"Nijmegen", "Gelderland"},     {"Arnhem", "Gelderland"},
    {"Apeldoorn", "Gelderland"},    {"Enschede", "Overijssel"},
    {"Zwolle", "Overijssel"},       {"Maastricht", "Limburg"},
    {"Venlo", "Limburg"},           {"Leeuwarden", "Friesland"},
    {"Assen", "Drenthe"},           {"Almere", "Flevoland"},
    {"Middelburg", "Zeeland"}};
static const struct up_postcode postcodes[] = {{"N###", true}, {"N### AA", false}};
static const char *const phones[] = {"(0##) #######"};
static const char *const cells[] = {"(06) ########"};
static const char *const ids[] = {"########"};
static const struct up_tz tzs[] = {{"+1:00", "Amsterdam, Brussels, Paris"},
                                   {"+2:00", "Central European Summer Time"}};

const struct up_locale up_locale_NL = {
    .code = "NL",
    .country = "Netherlands",
    .cells = UP_STRS(cells),
    .id_name = "BSN",
    .id_values = UP_STRS(ids),
    .lat_min = 507000,
    .lat_max = 535000,
    .lon_min = 34000,
    .lon_max = 72000,
    UP_LOCALE_ARRAYS,
};
