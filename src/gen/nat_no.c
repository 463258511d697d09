/* gen/nat_no: Norway. Postcodes are strings with leading zeros ("0150"). */
#include "gen/locale.h"

static const char *const male[] = {
    "Jakob", "Emil",    "Noah",  "Oliver",  "Filip",      "William", "Lukas",  "Henrik", "Magnus",
    "Håkon", "Øystein", "Ståle", "Bjørn",   "Kåre",       "Tor",     "Ole",    "Sverre", "Torbjørn",
    "Eirik", "Sindre",  "Aksel", "Jon Are", "Per Øyvind", "Even",    "Sigurd", "Vetle"};
static const char *const female[] = {
    "Nora",    "Emma",  "Sara",    "Ingrid", "Thea",     "Maja",   "Sofie",      "Ida",   "Frida",
    "Solveig", "Åse",   "Kjersti", "Gro",    "Ragnhild", "Sigrid", "Mathilde",   "Tiril", "Synnøve",
    "Hege",    "Bodil", "Tone",    "Mari",   "Live",     "Marte",  "Anne Grete", "Bjørg"};
static const char *const last[] = {
    "Hansen",      "Johansen",  "Olsen",       "Larsen",     "Andersen",  "Pedersen", "Nilsen",
    "Kristiansen", "Jensen",    "Karlsen",     "Johnsen",    "Pettersen", "Eriksen",  "Berg",
    "Haugen",      "Hagen",     "Johannessen", "Andreassen", "Jacobsen",  "Dahl",     "Jørgensen",
    "Halvorsen",   "Henriksen", "Lund",        "Sørensen",   "Strand",    "Bakken",   "Løken",
    "Sæther",      "Aasen",     "Solberg",     "Kvåle"};
static const char *const streets[] = {
    "Storgata",     "Kirkeveien",       "Skolegata",   "Bjørnstjerne Bjørnsons gate",
    "Kongens gate", "Dronningens gate", "Parkveien",   "Sjøgata",
    "Strandveien",  "Haugeveien",       "Furuveien",   "Solbakken",
    "Bakkeveien",   "Østre vei",        "Vestre gate", "Løkkeveien",
    "Fjellveien",   "Granveien",        "Kirkegata ",  "Trondheimsveien"};
static const struct up_place places[] = {{"Oslo", "Oslo"},
                                         {"Bergen", "Vestland"},
                                         {"Stavanger", "Rogaland"},
                                         {"Sandnes", "Rogaland"},
                                         {"Haugesund", "Rogaland"},
                                         {"Trondheim", "Trøndelag"},
                                         {"Steinkjer", "Trøndelag"},
                                         {"Drammen", "Buskerud"},
                                         {"Kongsberg", "Buskerud"},
                                         {"Fredrikstad", "Østfold"},
                                         {"Sarpsborg", "Østfold"},
                                         {"Tromsø", "Troms"},
                                         {"Bodø", "Nordland"},
                                         {"Kristiansand", "Agder"},
                                         {"Arendal", "Agder"},
                                         {"Ålesund", "Møre og Romsdal"},
                                         {"Molde", "Møre og Romsdal"},
                                         {"Skien", "Telemark"},
                                         {"Tønsberg", "Vestfold"},
                                         {"Lillehammer", "Innlandet"},
                                         {"Hamar", "Innlandet"},
                                         {"Alta", "Finnmark"},
                                         {"Lillestrøm", "Akershus"}};
static const struct up_postcode postcodes[] = {{"0###", false}, {"####", false}};
static const char *const phones[] = {"########"};
static const char *const cells[] = {"4#######", "9#######"};
static const char *const ids[] = {"D#####"};
static const struct up_tz tzs[] = {{"+1:00", "Oslo, Copenhagen, Stockholm"},
                                   {"+2:00", "Central European Summer Time"}};

const struct up_locale up_locale_NO = {
    .code = "NO",
    .country = "Norway",
    .cells = UP_STRS(cells),
    .id_name = "FN",
    .id_values = UP_STRS(ids),
    .lat_min = 580000,
    .lat_max = 710000,
    .lon_min = 50000,
    .lon_max = 310000,
    UP_LOCALE_ARRAYS,
};
