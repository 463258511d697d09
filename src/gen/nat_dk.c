/* gen/nat_dk: Denmark. */
#include "gen/locale.h"

static const char *const male[] = {
    "Søren", "Jørgen", "Anders", "Mads",    "Rasmus", "Frederik",  "Mikkel", "Jens", "Lars",
    "Niels", "Bjørn",  "Asger",  "Troels",  "Kasper", "Magnus",    "Oskar",  "Emil", "Villads",
    "Aksel", "Thøger", "Ebbe",   "Henning", "Poul",   "Svend Åge", "Malthe", "Bent"};
static const char *const female[] = {
    "Sofie", "Ida",      "Freja", "Mathilde",    "Emma",   "Karoline", "Signe",  "Maja",   "Line",
    "Mette", "Birgitte", "Lærke", "Aase",        "Sørine", "Kirsten",  "Inger",  "Dorthe", "Gry",
    "Tove",  "Vibeke",   "Åse",   "Ellen Marie", "Rikke",  "Nanna",    "Astrid", "Cecilie"};
static const char *const last[] = {
    "Jensen",     "Nielsen",    "Hansen",    "Pedersen",     "Andersen",  "Christensen",
    "Larsen",     "Sørensen",   "Rasmussen", "Jørgensen",    "Petersen",  "Madsen",
    "Kristensen", "Olsen",      "Thomsen",   "Christiansen", "Poulsen",   "Johansen",
    "Møller",     "Mortensen",  "Knudsen",   "Jakobsen",     "Mikkelsen", "Frandsen",
    "Lauridsen",  "Østergaard", "Kjær",      "Holm",         "Dahl",      "Bøgh"};
static const char *const streets[] = {
    "Vestergade",  "Østergade",    "Nørregade", "Søndergade",     "Strandvejen",
    "Kirkevej",    "Skolevej",     "Møllevej",  "Bygaden",        "Åboulevarden",
    "Skovvej",     "Engvej",       "Havnegade", "Toftevej",       "Bøgevej",
    "Kongensgade", "Ved Stranden", "Åvej",      "Præstegårdsvej", "Lindevej "};
static const struct up_place places[] = {
    {"København N", "Hovedstaden"}, {"Frederiksberg", "Hovedstaden"},
    {"Hillerød", "Hovedstaden"},    {"Helsingør", "Hovedstaden"},
    {"Roskilde", "Sjælland"},       {"Næstved", "Sjælland"},
    {"Slagelse", "Sjælland"},       {"Køge", "Sjælland"},
    {"Odense", "Syddanmark"},       {"Esbjerg", "Syddanmark"},
    {"Kolding", "Syddanmark"},      {"Vejle", "Syddanmark"},
    {"Sønderborg", "Syddanmark"},   {"Aarhus", "Midtjylland"},
    {"Randers", "Midtjylland"},     {"Herning", "Midtjylland"},
    {"Silkeborg", "Midtjylland"},   {"Aalborg", "Nordjylland"},
    {"Hjørring", "Nordjylland"},    {"Frederikshavn", "Nordjylland"}};
static const struct up_postcode postcodes[] = {{"N###", true}};
static const char *const phones[] = {"########"};
static const char *const ids[] = {"D-####"};
static const struct up_tz tzs[] = {{"+1:00", "Copenhagen, Brussels, Paris"},
                                   {"+2:00", "Central European Summer Time"}};

const struct up_locale up_locale_DK = {
    .code = "DK",
    .country = "Denmark",
    .cells = UP_STRS(phones),
    .id_name = "CPR",
    .id_values = UP_STRS(ids),
    .lat_min = 545000,
    .lat_max = 575000,
    .lon_min = 80000,
    .lon_max = 126000,
    UP_LOCALE_ARRAYS,
};
