/* gen/nat_ua: Ukraine. Names are Latin transliterations; phones carry a capital
 * letter as upstream's do; no national id (null). */
#include "gen/locale.h"

static const char *const male[] = {
    "Oleksandr", "Andriy",     "Serhiy", "Volodymyr", "Mykola", "Dmytro", "Yuriy",
    "Oleh",      "Bohdan",     "Taras",  "Vasyl",     "Ihor",   "Maksym", "Artem",
    "Denys",     "Yaroslav",   "Roman",  "Vitaliy",   "Petro",  "Stepan", "Ostap",
    "Vsevolod",  "Svyatoslav", "Zakhar", "Myroslav",  "Lev"};
static const char *const female[] = {
    "Olena",    "Tetyana",   "Nataliya",  "Iryna",    "Oksana",     "Svitlana",  "Yuliya",
    "Kateryna", "Mariya",    "Halyna",    "Lyudmyla", "Anastasiya", "Solomiya",  "Zoryana",
    "Marta",    "Khrystyna", "Viktoriya", "Darina",   "Sofiya",     "Yevheniya", "Nadiya",
    "Lesya",    "Ulyana",    "Yaryna",    "Vira",     "Lyubov"};
static const char *const last[] = {
    "Melnyk",     "Shevchenko", "Boyko",    "Kovalenko",   "Bondarenko", "Tkachenko", "Kovalchuk",
    "Kravchenko", "Oliynyk",    "Shevchuk", "Koval",       "Polishchuk", "Bondar",    "Tkachuk",
    "Moroz",      "Marchenko",  "Lysenko",  "Rudenko",     "Savchenko",  "Petrenko",  "Klymenko",
    "Pavlenko",   "Kravets",    "Kuzmenko", "Ponomarenko", "Vlasenko",   "Hnatyuk",   "Yatsenko",
    "Zinchenko",  "Ostapchuk",  "Lytvyn",   "Didenko"};
static const char *const streets[] = {"Khreshchatyk", "Shevchenka",     "Franka",  "Lesi Ukrayinky",
                                      "Hrushevskoho", "Sadova",         "Shkilna", "Myru",
                                      "Naberezhna",   "Zelena",         "Soborna", "Peremohy",
                                      "Tsentralna",   "Kvitneva",       "Lvivska", "Vyshneva",
                                      "Volodymyrska", "Kotsyubynskoho", "Bandery", "Lisova "};
static const struct up_place places[] = {{"Kyiv", "Kyiv"},
                                         {"Brovari", "Kiyivska"},
                                         {"Bila Tserkva", "Kiyivska"},
                                         {"Kharkiv", "Harkivska"},
                                         {"Odesa", "Odeska"},
                                         {"Izmayil", "Odeska"},
                                         {"Dnipro", "Dnipropetrovska"},
                                         {"Kryvyi Rih", "Dnipropetrovska"},
                                         {"Zaporizhzhya", "Zaporizka"},
                                         {"Lviv", "Lvivska"},
                                         {"Drohobych", "Lvivska"},
                                         {"Vinnytsya", "Vinnicka"},
                                         {"Poltava", "Poltavska"},
                                         {"Chernihiv", "Chernigivska"},
                                         {"Cherkasy", "Cherkaska"},
                                         {"Zhytomyr", "Zhitomirska"},
                                         {"Sumy", "Sumska"},
                                         {"Rivne", "Rivnenska"},
                                         {"Ivano-Frankivsk", "Ivano-Frankivska"},
                                         {"Ternopil", "Ternopilska"},
                                         {"Lutsk", "Volinska"},
                                         {"Uzhhorod", "Zakarpatska"},
                                         {"Chernivtsi", "Chernivecka"},
                                         {"Khmelnytskyi", "Hmelnicka"}};
static const struct up_postcode postcodes[] = {{"N####", true}};
static const char *const phones[] = {"(0##) A##-####"};
static const char *const cells[] = {"(09#) A##-####", "(06#) A##-####"};
static const struct up_tz tzs[] = {{"+2:00", "Kyiv, Helsinki, Riga"},
                                   {"+3:00", "Eastern European Summer Time"}};

const struct up_locale up_locale_UA = {
    .code = "UA",
    .country = "Ukraine",
    .cells = UP_STRS(cells),
    .id_name = "",
    .lat_min = 444000,
    .lat_max = 522000,
    .lon_min = 222000,
    .lon_max = 402000,
    UP_LOCALE_ARRAYS,
};
