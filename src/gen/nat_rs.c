/* gen/nat_rs: Serbia (Latin script: đ, ć, č, š, ž). */
#include "gen/locale.h"

static const char *const male[] = {
    "Nikola", "Luka",    "Stefan",     "Marko", "Lazar",   "Filip",   "Đorđe",
    "Miloš",  "Nemanja", "Aleksandar", "Dušan", "Vuk",     "Uroš",    "Vukašin",
    "Milan",  "Zoran",   "Dragan",     "Goran", "Predrag", "Žarko",   "Radoš",
    "Ćira",   "Bogdan",  "Mihajlo",    "Đurađ", "Veljko",  "Božidar", "Srđan"};
static const char *const female[] = {
    "Milica",   "Jelena",   "Ana",     "Marija",  "Jovana",  "Teodora",  "Sara",
    "Katarina", "Ivana",    "Dragana", "Snežana", "Mirjana", "Ljiljana", "Gordana",
    "Danica",   "Nataša",   "Željka",  "Dušica",  "Biljana", "Vesna",    "Tijana",
    "Anđela",   "Kristina", "Mila",    "Đurđa",   "Radmila", "Nevena",   "Sofija"};
static const char *const last[] = {
    "Jovanović",   "Petrović", "Nikolić",   "Marković", "Đorđević",  "Stojanović", "Ilić",
    "Stanković",   "Pavlović", "Milošević", "Popović",  "Todorović", "Živković",   "Kostić",
    "Đukić",       "Savić",    "Ristić",    "Lukić",    "Mitrović",  "Obradović",  "Simić",
    "Radovanović", "Vasić",    "Šarić",     "Tomić",    "Čolić",     "Kovačević",  "Ćosić",
    "Bošković",    "Lazić",    "Babić",     "Novaković"};
static const char *const streets[] = {"Knez Mihailova",  "Bulevar kralja Aleksandra",
                                      "Njegoševa",       "Vojvode Stepe",
                                      "Cara Dušana",     "Kralja Petra",
                                      "Svetogorska",     "Dositejeva",
                                      "Nemanjina",       "Gavrila Principa",
                                      "Takovska",        "Bulevar oslobođenja",
                                      "Zmaj Jovina",     "Kneza Miloša",
                                      "Resavska",        "Šumadijska",
                                      "Hajduk Veljkova", "Đure Jakšića",
                                      "Ustanička",       "Vuka Karadžića "};
static const struct up_place places[] = {{"Beograd", "Grad Beograd"},
                                         {"Zemun", "Grad Beograd"},
                                         {"Novi Sad", "Južnobački"},
                                         {"Niš", "Nišavski"},
                                         {"Kragujevac", "Šumadijski"},
                                         {"Subotica", "Severnobački"},
                                         {"Zrenjanin", "Srednjebanatski"},
                                         {"Pančevo", "Južnobanatski"},
                                         {"Čačak", "Moravički"},
                                         {"Kraljevo", "Raški"},
                                         {"Novi Pazar", "Raški"},
                                         {"Smederevo", "Podunavski"},
                                         {"Leskovac", "Jablanički"},
                                         {"Užice", "Zlatiborski"},
                                         {"Valjevo", "Kolubarski"},
                                         {"Kruševac", "Rasinski"},
                                         {"Vranje", "Pčinjski"},
                                         {"Šabac", "Mačvanski"},
                                         {"Sombor", "Zapadnobački"},
                                         {"Požarevac", "Braničevski"},
                                         {"Pirot", "Pirotski"},
                                         {"Zaječar", "Zaječarski"},
                                         {"Sremska Mitrovica", "Sremski"},
                                         {"Jagodina", "Pomoravski"}};
static const struct up_postcode postcodes[] = {{"N####", true}};
static const char *const phones[] = {"0##-####-###"};
static const char *const cells[] = {"06#-####-###"};
static const char *const ids[] = {"#########"};
static const struct up_tz tzs[] = {{"+1:00", "Belgrade, Bratislava, Budapest, Prague"},
                                   {"+2:00", "Central European Summer Time"}};

const struct up_locale up_locale_RS = {
    .code = "RS",
    .country = "Serbia",
    .cells = UP_STRS(cells),
    .id_name = "SID",
    .id_values = UP_STRS(ids),
    .lat_min = 422000,
    .lat_max = 462000,
    .lon_min = 188000,
    .lon_max = 230000,
    UP_LOCALE_ARRAYS,
};
