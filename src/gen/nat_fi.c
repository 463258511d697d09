/* gen/nat_fi: Finland. */
#include "gen/locale.h"

static const char *const male[] = {"Juha", "Timo",   "Matti",  "Mikko", "Jari",   "Antti",  "Jukka",
                                   "Mika", "Markku", "Pekka",  "Väinö", "Eetu",   "Aleksi", "Onni",
                                   "Eino", "Veeti",  "Lauri",  "Jyrki", "Pentti", "Tapani", "Ilkka",
                                   "Niko", "Joonas", "Sakari", "Åke",   "Henrik"};
static const char *const female[] = {
    "Aino",     "Eeva",  "Helmi", "Sanna",  "Päivi", "Tuula",  "Anneli",      "Kaarina", "Minna",
    "Marjatta", "Pirjo", "Sirpa", "Ella",   "Venla", "Iida",   "Siiri",       "Elina",   "Hilkka",
    "Lyydia",   "Jenni", "Sari",  "Riikka", "Tiina", "Linnéa", "Hanna-Leena", "Ronja"};
static const char *const last[] = {
    "Korhonen",  "Virtanen", "Mäkinen",  "Nieminen",    "Mäkelä",   "Hämäläinen", "Laine",
    "Heikkinen", "Koskinen", "Järvinen", "Lehtonen",    "Lehtinen", "Saarinen",   "Salminen",
    "Heinonen",  "Niemi",    "Heikkilä", "Kinnunen",    "Salonen",  "Turunen",    "Salo",
    "Laitinen",  "Tuominen", "Rantanen", "Karjalainen", "Jokinen",  "Mattila",    "Savolainen",
    "Lahtinen",  "Ahonen",   "Kivelä",   "Öhman"};
static const char *const streets[] = {
    "Mannerheimintie", "Hämeenkatu",        "Aleksanterinkatu",   "Pispalan Valtatie",
    "Rautatienkatu",   "Kauppakatu",        "Koulukatu",          "Satakennankatu",
    "Pyynikintie",     "Visiokatu",         "Hatanpään Valtatie", "Esplanadi",
    "Tehtaankatu",     "Itäinen Rantakatu", "Nordenskiöldinkatu", "Kirkkokatu",
    "Kalevankatu",     "Siltakatu",         "Rantatie ",          "Mäkelänkatu"};
static const struct up_place places[] = {{"Helsinki", "Uusimaa"},
                                         {"Espoo", "Uusimaa"},
                                         {"Vantaa", "Uusimaa"},
                                         {"Porvoo", "Uusimaa"},
                                         {"Tampere", "Pirkanmaa"},
                                         {"Nokia", "Pirkanmaa"},
                                         {"Turku", "Southwest Finland"},
                                         {"Salo", "Southwest Finland"},
                                         {"Oulu", "North Ostrobothnia"},
                                         {"Jyväskylä", "Central Finland"},
                                         {"Kuopio", "Northern Savonia"},
                                         {"Lahti", "Päijät-Häme"},
                                         {"Pori", "Satakunta"},
                                         {"Joensuu", "North Karelia"},
                                         {"Lappeenranta", "South Karelia"},
                                         {"Hämeenlinna", "Tavastia Proper"},
                                         {"Vaasa", "Ostrobothnia"},
                                         {"Seinäjoki", "Southern Ostrobothnia"},
                                         {"Rovaniemi", "Lapland"},
                                         {"Kotka", "Kymenlaakso"},
                                         {"Mikkeli", "Southern Savonia"},
                                         {"Kajaani", "Kainuu"},
                                         {"Mariehamn", "Åland"}};
static const struct up_postcode postcodes[] = {{"N####", true}};
static const char *const phones[] = {"0#-###-###"};
static const char *const cells[] = {"04#-###-##-##"};
static const char *const ids[] = {"DC###A"};
static const struct up_tz tzs[] = {{"+2:00", "Helsinki, Kyiv, Riga, Tallinn"},
                                   {"+3:00", "Eastern European Summer Time"}};

const struct up_locale up_locale_FI = {
    .code = "FI",
    .country = "Finland",
    .cells = UP_STRS(cells),
    .id_name = "HETU",
    .id_values = UP_STRS(ids),
    .lat_min = 598000,
    .lat_max = 700000,
    .lon_min = 205000,
    .lon_max = 315000,
    UP_LOCALE_ARRAYS,
};
