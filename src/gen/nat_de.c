/* gen/nat_de: Germany. */
#include "gen/locale.h"

static const char *const male[] = {
    "Lukas",      "Jonas",   "Leon",     "Finn",     "Paul",   "Felix",  "Maximilian",
    "Jan",        "Tim",     "Niklas",   "Moritz",   "Jörg",   "Jürgen", "Uwe",
    "Günter",     "Björn",   "Sönke",    "Dieter",   "Klaus",  "Horst",  "Hans Jörg",
    "Karl-Heinz", "Rüdiger", "Wolfgang", "Matthias", "Stefan", "Mehmet", "Torsten"};
static const char *const female[] = {
    "Anna",        "Lea",    "Hannah", "Lena",   "Marie",   "Sophie", "Johanna",
    "Lara",        "Jülide", "Jana",   "Käthe",  "Ursula",  "Gisela", "Brigitte",
    "Heike",       "Dörte",  "Jutta",  "Sabine", "Anke",    "Birgit", "Anna-Lena",
    "Ann Kathrin", "Gülsüm", "Änne",   "Frauke", "Marlene", "Ilse",   "Roswitha"};
static const char *const last[] = {"Müller",   "Schmidt",  "Schneider", "Fischer",
                                   "Weber",    "Meyer",    "Wagner",    "Becker",
                                   "Schulz",   "Hoffmann", "Schäfer",   "Koch",
                                   "Bauer",    "Richter",  "Klein",     "Wolf",
                                   "Schröder", "Neumann",  "Schwarz",   "Zimmermann",
                                   "Braun",    "Krüger",   "Hofmann",   "Hartmann",
                                   "Lange",    "Schmitt",  "Werner",    "Krause",
                                   "Köhler",   "Weiß",     "Groß",      "Graf von der Heide",
                                   "Yılmaz",   "Böhm"};
static const char *const streets[] = {
    "Hauptstraße",    "Schulstraße",    "Gartenstraße", "Bahnhofstraße", "Dorfstraße",
    "Bergstraße",     "Birkenweg",      "Lindenstraße", "Kirchstraße",   "Waldstraße",
    "Ringstraße",     "Schillerstraße", "Goethestraße", "Mühlenweg",     "Am Sportplatz",
    "Friedhofstraße", "Rosenstraße",    "Wiesenweg",    "Feldstraße",    "Parkstraße",
    "Mozartstraße ",  "Erlenweg"};
static const struct up_place places[] = {{"Berlin", "Berlin"},
                                         {"Hamburg", "Hamburg"},
                                         {"München", "Bayern"},
                                         {"Nürnberg", "Bayern"},
                                         {"Würzburg", "Bayern"},
                                         {"Köln", "Nordrhein-Westfalen"},
                                         {"Düsseldorf", "Nordrhein-Westfalen"},
                                         {"Münster", "Nordrhein-Westfalen"},
                                         {"Dortmund", "Nordrhein-Westfalen"},
                                         {"Frankfurt am Main", "Hessen"},
                                         {"Kassel", "Hessen"},
                                         {"Stuttgart", "Baden-Württemberg"},
                                         {"Tübingen", "Baden-Württemberg"},
                                         {"Freiburg im Breisgau", "Baden-Württemberg"},
                                         {"Leipzig", "Sachsen"},
                                         {"Dresden", "Sachsen"},
                                         {"Görlitz", "Sachsen"},
                                         {"Hannover", "Niedersachsen"},
                                         {"Göttingen", "Niedersachsen"},
                                         {"Bremen", "Bremen"},
                                         {"Kiel", "Schleswig-Holstein"},
                                         {"Lübeck", "Schleswig-Holstein"},
                                         {"Rostock", "Mecklenburg-Vorpommern"},
                                         {"Erfurt", "Thüringen"},
                                         {"Magdeburg", "Sachsen-Anhalt"},
                                         {"Mainz", "Rheinland-Pfalz"},
                                         {"Saarbrücken", "Saarland"},
                                         {"Potsdam", "Brandenburg"}};
static const struct up_postcode postcodes[] = {{"N####", true}};
static const char *const phones[] = {"0###-#######", "0##-########"};
static const char *const cells[] = {"017#-#######", "015#-#######", "016#-#######"};
static const char *const ids[] = {"## D A ###"};
static const struct up_tz tzs[] = {{"+1:00", "Berlin, Brussels, Copenhagen, Paris"},
                                   {"+2:00", "Central European Summer Time"}};

const struct up_locale up_locale_DE = {
    .code = "DE",
    .country = "Germany",
    .cells = UP_STRS(cells),
    .id_name = "SVNR",
    .id_values = UP_STRS(ids),
    .lat_min = 473000,
    .lat_max = 550000,
    .lon_min = 59000,
    .lon_max = 150000,
    UP_LOCALE_ARRAYS,
};
