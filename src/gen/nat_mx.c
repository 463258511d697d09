/* gen/nat_mx: Mexico. */
#include "gen/locale.h"

static const char *const male[] = {
    "José",      "Juan",     "Luis",     "Carlos",     "Jesús",   "Miguel Ángel", "Francisco",
    "Alejandro", "Ricardo",  "Fernando", "Jorge",      "Raúl",    "Héctor",       "Arturo",
    "Sebastián", "Emiliano", "Santiago", "Iván",       "Rogelio", "Gerardo",      "Efraín",
    "Andrés",    "Joaquín",  "Rubén",    "Cuauhtémoc", "Nicolás", "Martín",       "Víctor"};
static const char *const female[] = {
    "María",     "Guadalupe", "Juana",     "Verónica",   "Rosa",      "Leticia",  "Alejandra",
    "Ximena",    "Fernanda",  "Valentina", "Regina",     "Renata",    "Camila",   "Sofía",
    "Itzel",     "Citlali",   "Araceli",   "Patricia",   "Adriana",   "Gabriela", "Mónica",
    "Estefanía", "Begoña",    "Yolanda",   "María José", "Ana Sofía", "Xóchitl",  "Noemí"};
static const char *const last[] = {
    "Hernández", "García",  "Martínez", "López",      "González",  "Pérez",   "Rodríguez",
    "Sánchez",   "Ramírez", "Cruz",     "Flores",     "Gómez",     "Morales", "Vázquez",
    "Reyes",     "Jiménez", "Torres",   "Díaz",       "Gutiérrez", "Ruiz",    "Mendoza",
    "Aguilar",   "Ortiz",   "Moreno",   "Castillo",   "Romero",    "Álvarez", "Méndez",
    "Chávez",    "Rivera",  "Juárez",   "De la Cruz", "Saldaña",   "Muñoz"};
static const char *const streets[] = {
    "Calle Hidalgo",       "Avenida Juárez",         "Calle Morelos",    "Avenida Reforma",
    "Calle Benito Juárez", "Calle Zaragoza",         "Calle Allende",    "Avenida Insurgentes",
    "Calle 5 de Mayo",     "Calle 16 de Septiembre", "Privada Aldama",   "Calle Madero",
    "Circuito Álamos",     "Avenida Revolución",     "Cerrada Guerrero", "Calle Independencia",
    "Andador Obregón",     "Calle Niños Héroes",     "Periférico Sur",   "Prolongación Colón "};
static const struct up_place places[] = {{"Ciudad de México", "Ciudad de México"},
                                         {"Ecatepec", "Estado de México"},
                                         {"Toluca", "Estado de México"},
                                         {"Guadalajara", "Jalisco"},
                                         {"Zapopan", "Jalisco"},
                                         {"Monterrey", "Nuevo León"},
                                         {"San Nicolás de los Garza", "Nuevo León"},
                                         {"Puebla", "Puebla"},
                                         {"Tijuana", "Baja California"},
                                         {"Mexicali", "Baja California"},
                                         {"León", "Guanajuato"},
                                         {"Querétaro", "Querétaro"},
                                         {"Mérida", "Yucatán"},
                                         {"Cancún", "Quintana Roo"},
                                         {"Chihuahua", "Chihuahua"},
                                         {"Ciudad Juárez", "Chihuahua"},
                                         {"Hermosillo", "Sonora"},
                                         {"Culiacán", "Sinaloa"},
                                         {"Acapulco", "Guerrero"},
                                         {"Oaxaca de Juárez", "Oaxaca"},
                                         {"Morelia", "Michoacán"},
                                         {"Veracruz", "Veracruz"},
                                         {"Tuxtla Gutiérrez", "Chiapas"},
                                         {"San Luis Potosí", "San Luis Potosí"},
                                         {"Aguascalientes", "Aguascalientes"},
                                         {"Saltillo", "Coahuila"}};
static const struct up_postcode postcodes[] = {{"N####", true}};
static const char *const phones[] = {"(###) ### ####"};
static const char *const ids[] = {"## ## ## #### #"};
static const struct up_tz tzs[] = {{"-6:00", "Mexico City, Guadalajara, Monterrey"},
                                   {"-7:00", "Chihuahua, Mazatlan, Hermosillo"},
                                   {"-8:00", "Tijuana, Baja California"},
                                   {"-5:00", "Cancun, Quintana Roo"}};

const struct up_locale up_locale_MX = {
    .code = "MX",
    .country = "Mexico",
    .cells = UP_STRS(phones),
    .id_name = "NSS",
    .id_values = UP_STRS(ids),
    .lat_min = 150000,
    .lat_max = 320000,
    .lon_min = -1170000,
    .lon_max = -870000,
    UP_LOCALE_ARRAYS,
};
