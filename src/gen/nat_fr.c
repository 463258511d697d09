/* gen/nat_fr: France. */
#include "gen/locale.h"

static const char *const male[] = {
    "Gabriel",       "Léo",          "Raphaël", "Louis",    "Lucas",  "Jules",    "Hugo",
    "Arthur",        "Nathan",       "Théo",    "Noé",      "Maël",   "Timothée", "Jérôme",
    "Benoît",        "Gaëtan",       "Loïc",    "François", "Cédric", "Rémi",     "Anaël",
    "Jean-Baptiste", "Pierre-Louis", "Yanis",   "Grégoire", "Amaury", "Maxence",  "Ludovic"};
static const char *const female[] = {
    "Jade",         "Louise",      "Emma",   "Alice",     "Chloé",    "Léa",    "Inès",
    "Manon",        "Zoé",         "Léonie", "Héloïse",   "Noémie",   "Océane", "Maëlys",
    "Anaïs",        "Clémence",    "Gaëlle", "Mélanie",   "Capucine", "Agathe", "Bérénice",
    "Marie-Noëlle", "Anne-Sophie", "Solène", "Françoise", "Amélie",   "Éloïse", "Margaux"};
static const char *const last[] = {
    "Martin",   "Bernard",  "Dubois",    "Thomas",   "Robert",   "Richard",   "Petit",
    "Durand",   "Leroy",    "Moreau",    "Simon",    "Laurent",  "Lefebvre",  "Michel",
    "Garcia",   "David",    "Bertrand",  "Roux",     "Vincent",  "Fournier",  "Morel",
    "Girard",   "André",    "Lefèvre",   "Mercier",  "Dupont",   "Lambert",   "Bonnet",
    "François", "Martinez", "Legrand",   "Gauthier", "Da Silva", "D'Almeida", "Rousseau",
    "Barbier",  "Brun",     "Chevalier", "Lemaître", "Lacroix"};
static const char *const streets[] = {"Rue de la Paix",          "Rue Pasteur",
                                      "Avenue Jean-Jaurès",      "Rue Victor-Hugo",
                                      "Place de la Mairie",      "Rue de l'Église",
                                      "Rue du Moulin",           "Rue des Écoles",
                                      "Rue de la République",    "Avenue de la Libération",
                                      "Rue Principale",          "Rue du Château",
                                      "Rue Saint-Georges",       "Rue de Bonnel",
                                      "Rue Abel-Hovelacque",     "Rue du Bât-d'Argent",
                                      "Rue Duguesclin",          "Avenue du Fort-Caire",
                                      "Rue de la Charité ",      "Quai Chauveau",
                                      "Boulevard de la Duchère", "Rue Dumenge"};
static const struct up_place places[] = {{"Paris", "Paris"},
                                         {"Boulogne-Billancourt", "Hauts-de-Seine"},
                                         {"Nanterre", "Hauts-de-Seine"},
                                         {"Versailles", "Yvelines"},
                                         {"Créteil", "Val-de-Marne"},
                                         {"Lyon", "Rhône"},
                                         {"Villeurbanne", "Rhône"},
                                         {"Marseille", "Bouches-du-Rhône"},
                                         {"Aix-en-Provence", "Bouches-du-Rhône"},
                                         {"Toulouse", "Haute-Garonne"},
                                         {"Nice", "Alpes-Maritimes"},
                                         {"Nantes", "Loire-Atlantique"},
                                         {"Strasbourg", "Bas-Rhin"},
                                         {"Montpellier", "Hérault"},
                                         {"Bordeaux", "Gironde"},
                                         {"Lille", "Nord"},
                                         {"Rennes", "Ille-et-Vilaine"},
                                         {"Reims", "Marne"},
                                         {"Le Havre", "Seine-Maritime"},
                                         {"Saint-Étienne", "Loire"},
                                         {"Toulon", "Var"},
                                         {"Grenoble", "Isère"},
                                         {"Dijon", "Côte-d'Or"},
                                         {"Angers", "Maine-et-Loire"},
                                         {"Nîmes", "Gard"},
                                         {"Clermont-Ferrand", "Puy-de-Dôme"},
                                         {"Le Mans", "Sarthe"},
                                         {"Besançon", "Doubs"},
                                         {"Orléans", "Loiret"},
                                         {"Avignon", "Vaucluse"}};
static const struct up_postcode postcodes[] = {{"N####", true}};
static const char *const phones[] = {"0#-##-##-##-##"};
static const char *const cells[] = {"06-##-##-##-##", "07-##-##-##-##"};
static const char *const ids[] = {"N ## ## ## ### ### ##"};
static const struct up_tz tzs[] = {{"+1:00", "Paris, Brussels, Madrid"},
                                   {"+2:00", "Central European Summer Time"},
                                   {"-4:00", "Guadeloupe, Martinique"},
                                   {"+4:00", "Réunion"}};

const struct up_locale up_locale_FR = {
    .code = "FR",
    .country = "France",
    .cells = UP_STRS(cells),
    .id_name = "INSEE",
    .id_values = UP_STRS(ids),
    .lat_min = 425000,
    .lat_max = 510000,
    .lon_min = -45000,
    .lon_max = 80000,
    UP_LOCALE_ARRAYS,
};
