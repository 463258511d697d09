/* gen/nat_ch: Switzerland. Titles are French (Monsieur, Madame, Mademoiselle). */
#include "gen/locale.h"

static const char *const male[] = {
    "Luca",   "Noah",  "Leon",      "Matteo", "Elias",     "Jonas",  "Lukas",
    "Nico",   "Loïc",  "Théo",      "Jérémy", "Cédric",    "Gaëtan", "Yannick",
    "Mathéo", "Rémy",  "Hans Jörg", "Urs",    "Beat",      "Reto",   "Jürg",
    "Andrea", "Marco", "Gian Luca", "Fabio",  "Sébastien", "René",   "Jean-Marc"};
static const char *const female[] = {
    "Mia",       "Lena",       "Lea",          "Sofia",      "Emma",    "Léonie",   "Anja",
    "Céline",    "Noémie",     "Chloé",        "Mégane",     "Aurélie", "Sandrine", "Ursula",
    "Verena",    "Käthi",      "Regula",       "Brigitte",   "Corinne", "Chiara",   "Giulia",
    "Francesca", "Anne-Marie", "Marie-Claire", "Jacqueline", "Hélène",  "Zoé",      "Maëlle"};
static const char *const last[] = {
    "Müller",     "Meier",   "Schmid",  "Keller",  "Weber",    "Huber",  "Schneider",  "Meyer",
    "Steiner",    "Fischer", "Gerber",  "Brunner", "Baumann",  "Frei",   "Zimmermann", "Moser",
    "Bonvin",     "Favre",   "Perret",  "Girard",  "Rochat",   "Dubois", "Mercier",    "Fontaine",
    "Bernasconi", "Rossi",   "Ferrari", "Lehmann", "Wüthrich", "Bühler", "Gisler",     "Dufour"};
static const char *const streets[] = {
    "Bahnhofstrasse", "Hauptstrasse", "Dorfstrasse",       "Kirchweg",          "Rue du Bourg",
    "Rue de la Gare", "Rue du Lac",   "Chemin des Vignes", "Via Nassa",         "Via San Gottardo",
    "Seestrasse",     "Schulstrasse", "Rue de l'Église",   "Place du Marché",   "Grand-Rue",
    "Rue des Alpes",  "Bergstrasse",  "Route de Lausanne", "Avenue de la Gare", "Mühlegasse",
    "Rue Centrale ",  "Lindenweg"};
static const struct up_place places[] = {{"Zürich", "Zürich"},
                                         {"Winterthur", "Zürich"},
                                         {"Genève", "Genève"},
                                         {"Carouge", "Genève"},
                                         {"Basel", "Basel-Stadt"},
                                         {"Bern", "Bern"},
                                         {"Thun", "Bern"},
                                         {"Biel/Bienne", "Bern"},
                                         {"Lausanne", "Vaud"},
                                         {"Montreux", "Vaud"},
                                         {"Yverdon-les-Bains", "Vaud"},
                                         {"Luzern", "Luzern"},
                                         {"St. Gallen", "St. Gallen"},
                                         {"Lugano", "Ticino"},
                                         {"Bellinzona", "Ticino"},
                                         {"Fribourg", "Fribourg"},
                                         {"Sion", "Valais"},
                                         {"Neuchâtel", "Neuchâtel"},
                                         {"La Chaux-de-Fonds", "Neuchâtel"},
                                         {"Chur", "Graubünden"},
                                         {"Aarau", "Aargau"},
                                         {"Schaffhausen", "Schaffhausen"},
                                         {"Zug", "Zug"},
                                         {"Delémont", "Jura"}};
static const char *const male_titles[] = {"Monsieur"};
static const char *const female_titles[] = {"Madame", "Mademoiselle"};
static const struct up_postcode postcodes[] = {{"N###", true}};
static const char *const phones[] = {"0## ### ## ##"};
static const char *const cells[] = {"07# ### ## ##"};
static const char *const ids[] = {"756.####.####.##"};
static const struct up_tz tzs[] = {{"+1:00", "Bern, Zurich, Geneva"},
                                   {"+2:00", "Central European Summer Time"}};

const struct up_locale up_locale_CH = {
    .code = "CH",
    .country = "Switzerland",
    .male_titles = UP_STRS(male_titles),
    .female_titles = UP_STRS(female_titles),
    .cells = UP_STRS(cells),
    .id_name = "AVS",
    .id_values = UP_STRS(ids),
    .lat_min = 458000,
    .lat_max = 478000,
    .lon_min = 59000,
    .lon_max = 105000,
    UP_LOCALE_ARRAYS,
};
