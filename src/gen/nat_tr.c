/* gen/nat_tr: Turkey. No national id (null). */
#include "gen/locale.h"

static const char *const male[] = {"Mehmet",  "Mustafa", "Ahmet", "Ali",     "Hüseyin", "Hasan",
                                   "İbrahim", "İsmail",  "Osman", "Yusuf",   "Murat",   "Ömer",
                                   "Emre",    "Burak",   "Çağan", "Uğur",    "Gökhan",  "Serkan",
                                   "Eren",    "Barış",   "Doğan", "Oğuz",    "Tolga",   "Kerem",
                                   "Şükrü",   "Çetin",   "Ege",   "Alp Eren"};
static const char *const female[] = {"Fatma",  "Ayşe",   "Emine",   "Hatice",  "Zeynep", "Elif",
                                     "Meryem", "Şerife", "Sultan",  "Zehra",   "Hülya",  "Gülşen",
                                     "Özlem",  "Büşra",  "Çiğdem",  "Dilek",   "Ebru",   "Gizem",
                                     "Nur",    "Selin",  "Tuğba",   "Yağmur",  "Sıla",   "Irmak",
                                     "Duygu",  "Şebnem", "Nilüfer", "Ayşe Gül"};
static const char *const last[] = {
    "Yılmaz", "Kaya",    "Demir",  "Şahin",  "Çelik", "Yıldız", "Yıldırım", "Öztürk",
    "Aydın",  "Özdemir", "Arslan", "Doğan",  "Kılıç", "Aslan",  "Çetin",    "Kara",
    "Koç",    "Kurt",    "Özkan",  "Şimşek", "Polat", "Özcan",  "Korkmaz",  "Erdoğan",
    "Akgül",  "Keskin",  "Güneş",  "Karaca", "Tekin", "Ünal",   "Bulut",    "Türkmen"};
static const char *const streets[] = {
    "Atatürk Cd",     "İstiklal Cd",      "Cumhuriyet Cd",
    "Bağdat Cd",      "Talak Göktepe Cd", "Fatih Sultan Mehmet Cd",
    "Necatibey Cd",   "Vatan Cd",         "Kushimoto Sk",
    "Anafartalar Cd", "Abanoz Sk",        "Çiftlik Cd",
    "Şehitler Cd",    "Mevlana Cd",       "Doktorlar Cd",
    "Filistin Cd",    "Maçka Cd",         "Ergenekon Cd",
    "Bahçeli Sk ",    "Karanfil Sk"};
static const struct up_place places[] = {{"İstanbul", "İstanbul"},   {"Ankara", "Ankara"},
                                         {"İzmir", "İzmir"},         {"Bursa", "Bursa"},
                                         {"Antalya", "Antalya"},     {"Adana", "Adana"},
                                         {"Konya", "Konya"},         {"Gaziantep", "Gaziantep"},
                                         {"Şanlıurfa", "Şanlıurfa"}, {"Kocaeli", "Kocaeli"},
                                         {"Mersin", "Mersin"},       {"Diyarbakır", "Diyarbakır"},
                                         {"Kayseri", "Kayseri"},     {"Eskişehir", "Eskişehir"},
                                         {"Samsun", "Samsun"},       {"Denizli", "Denizli"},
                                         {"Trabzon", "Trabzon"},     {"Malatya", "Malatya"},
                                         {"Erzurum", "Erzurum"},     {"Van", "Van"},
                                         {"Çanakkale", "Çanakkale"}, {"Muğla", "Muğla"},
                                         {"Sakarya", "Sakarya"},     {"Kırıkkale", "Kırıkkale"},
                                         {"Uşak", "Uşak"},           {"Ağrı", "Ağrı"}};
static const struct up_postcode postcodes[] = {{"N####", true}};
static const char *const phones[] = {"(###)-###-####"};
static const char *const cells[] = {"(5##)-###-####"};
static const struct up_tz tzs[] = {{"+3:00", "Istanbul, Ankara, Moscow"}};

const struct up_locale up_locale_TR = {
    .code = "TR",
    .country = "Turkey",
    .cells = UP_STRS(cells),
    .id_name = "",
    .lat_min = 360000,
    .lat_max = 420000,
    .lon_min = 260000,
    .lon_max = 447000,
    UP_LOCALE_ARRAYS,
};
