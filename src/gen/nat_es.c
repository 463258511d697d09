/* gen/nat_es: Spain. */
#include "gen/locale.h"

static const char *const male[] = {
    "Hugo",      "Martín",      "Lucas",  "Mateo",  "Leo",   "Daniel",  "Alejandro",
    "Pablo",     "Manuel",      "Álvaro", "Adrián", "Mario", "Diego",   "Javier",
    "José Luis", "Juan Carlos", "Íñigo",  "Jesús",  "Ramón", "Joaquín", "Sergio",
    "Rubén",     "Andrés",      "Óscar",  "Xavier", "Jordi", "Iker",    "Nicolás"};
static const char *const female[] = {
    "Lucía",         "Sofía",      "Martina", "María",       "Paula",      "Julia",  "Valeria",
    "Carmen",        "Irene",      "Nerea",   "Begoña",      "Rocío",      "Inés",   "Marina",
    "Ainhoa",        "Montserrat", "Nuria",   "Pilar",       "Concepción", "Ángela", "Mª José",
    "María Ángeles", "Leire",      "Raquel",  "Encarnación", "Noemí",      "Elena",  "Alba"};
static const char *const last[] = {
    "García", "Rodríguez", "González", "Fernández", "López",        "Martínez",  "Sánchez",
    "Pérez",  "Gómez",     "Martín",   "Jiménez",   "Ruiz",         "Hernández", "Díaz",
    "Moreno", "Muñoz",     "Álvarez",  "Romero",    "Alonso",       "Gutiérrez", "Navarro",
    "Torres", "Domínguez", "Vázquez",  "Ramos",     "Gil",          "Ramírez",   "Serrano",
    "Blanco", "Molina",    "Ibáñez",   "Castaño",   "de la Fuente", "Peña"};
static const char *const streets[] = {"Calle Mayor",
                                      "Calle Real",
                                      "Avenida de Andalucía",
                                      "Calle de la Luna",
                                      "Paseo de Extremadura",
                                      "Calle del Pez",
                                      "Calle de Alcalá",
                                      "Avenida de América",
                                      "Calle de Toledo",
                                      "Plaza de España",
                                      "Calle Nueva",
                                      "Calle de Segovia",
                                      "Calle de la Iglesia",
                                      "Ronda de Valencia",
                                      "Calle del Arenal",
                                      "Avenida de la Albufera",
                                      "Calle de Atocha",
                                      "Calle de Ferraz",
                                      "Calle de Bravo Murillo",
                                      "Calle Covadonga "};
static const struct up_place places[] = {{"Madrid", "Comunidad de Madrid"},
                                         {"Alcalá de Henares", "Comunidad de Madrid"},
                                         {"Móstoles", "Comunidad de Madrid"},
                                         {"Barcelona", "Cataluña"},
                                         {"Girona", "Cataluña"},
                                         {"Lleida", "Cataluña"},
                                         {"Valencia", "Comunidad Valenciana"},
                                         {"Alicante", "Comunidad Valenciana"},
                                         {"Elche", "Comunidad Valenciana"},
                                         {"Sevilla", "Andalucía"},
                                         {"Málaga", "Andalucía"},
                                         {"Córdoba", "Andalucía"},
                                         {"Granada", "Andalucía"},
                                         {"Almería", "Andalucía"},
                                         {"Zaragoza", "Aragón"},
                                         {"Bilbao", "País Vasco"},
                                         {"Vitoria", "País Vasco"},
                                         {"San Sebastián", "País Vasco"},
                                         {"Valladolid", "Castilla y León"},
                                         {"Salamanca", "Castilla y León"},
                                         {"León", "Castilla y León"},
                                         {"Oviedo", "Principado de Asturias"},
                                         {"Santander", "Cantabria"},
                                         {"A Coruña", "Galicia"},
                                         {"Murcia", "Región de Murcia"},
                                         {"Pamplona", "Navarra"},
                                         {"Logroño", "La Rioja"},
                                         {"Palma de Mallorca", "Islas Baleares"},
                                         {"Las Palmas de Gran Canaria", "Canarias"}};
static const struct up_postcode postcodes[] = {{"N####", true}};
static const char *const phones[] = {"9##-###-###"};
static const char *const cells[] = {"6##-###-###"};
static const char *const ids[] = {"########-A"};
static const struct up_tz tzs[] = {{"+1:00", "Madrid, Barcelona, Paris"},
                                   {"0:00", "Canary Islands, Lisbon"},
                                   {"+2:00", "Central European Summer Time"}};

const struct up_locale up_locale_ES = {
    .code = "ES",
    .country = "Spain",
    .cells = UP_STRS(cells),
    .id_name = "DNI",
    .id_values = UP_STRS(ids),
    .lat_min = 360000,
    .lat_max = 437000,
    .lon_min = -93000,
    .lon_max = 33000,
    UP_LOCALE_ARRAYS,
};
