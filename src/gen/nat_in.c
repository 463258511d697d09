/* gen/nat_in: India. */
#include "gen/locale.h"

static const char *const male[] = {"Aarav",   "Vivaan", "Aditya",    "Vihaan", "Arjun",  "Sai",
                                   "Reyansh", "Ayaan",  "Krishna",   "Ishaan", "Rohan",  "Rahul",
                                   "Amit",    "Vikram", "Sanjay",    "Rajesh", "Suresh", "Pranav",
                                   "Kunal",   "Harsh",  "Siddharth", "Nikhil", "Varun",  "Gaurav",
                                   "Manoj",   "Dev",    "Kabir",     "Yash"};
static const char *const female[] = {"Aadhya", "Ananya",  "Diya",  "Saanvi",  "Pari",   "Anika",
                                     "Navya",  "Ishita",  "Priya", "Sneha",   "Pooja",  "Kavya",
                                     "Meera",  "Riya",    "Neha",  "Lakshmi", "Sunita", "Anjali",
                                     "Divya",  "Shreya",  "Tanvi", "Aditi",   "Swati",  "Nandini",
                                     "Rekha",  "Deepika", "Kiara", "Myra"};
static const char *const last[] = {
    "Sharma", "Verma", "Gupta",    "Singh",    "Kumar",      "Patel",    "Reddy",     "Nair",
    "Iyer",   "Menon", "Rao",      "Das",      "Chatterjee", "Banerjee", "Mukherjee", "Ghosh",
    "Bose",   "Joshi", "Kulkarni", "Deshmukh", "Patil",      "Shetty",   "Pillai",    "Naidu",
    "Mehta",  "Shah",  "Desai",    "Malhotra", "Kapoor",     "Khanna",   "Saxena",    "Agarwal"};
static const char *const streets[] = {
    "MG Road",        "Station Road",      "Nehru Road",    "Gandhi Nagar", "Park Street",
    "Linking Road",   "Brigade Road",      "Church Street", "Ring Road",    "Anna Salai",
    "Residency Road", "Mall Road",         "Hill Road",     "Lake Road",    "Temple Street",
    "Market Road",    "Sardar Patel Marg", "Subhash Marg",  "Tilak Road",   "College Road "};
static const struct up_place places[] = {{"Mumbai", "Maharashtra"},
                                         {"Pune", "Maharashtra"},
                                         {"Nagpur", "Maharashtra"},
                                         {"Nashik", "Maharashtra"},
                                         {"Delhi", "Delhi"},
                                         {"Bengaluru", "Karnataka"},
                                         {"Mysuru", "Karnataka"},
                                         {"Hyderabad", "Telangana"},
                                         {"Chennai", "Tamil Nadu"},
                                         {"Coimbatore", "Tamil Nadu"},
                                         {"Madurai", "Tamil Nadu"},
                                         {"Kolkata", "West Bengal"},
                                         {"Ahmedabad", "Gujarat"},
                                         {"Surat", "Gujarat"},
                                         {"Vadodara", "Gujarat"},
                                         {"Jaipur", "Rajasthan"},
                                         {"Jodhpur", "Rajasthan"},
                                         {"Lucknow", "Uttar Pradesh"},
                                         {"Kanpur", "Uttar Pradesh"},
                                         {"Varanasi", "Uttar Pradesh"},
                                         {"Bhopal", "Madhya Pradesh"},
                                         {"Indore", "Madhya Pradesh"},
                                         {"Patna", "Bihar"},
                                         {"Kochi", "Kerala"},
                                         {"Thiruvananthapuram", "Kerala"},
                                         {"Bhubaneswar", "Odisha"},
                                         {"Chandigarh", "Punjab"},
                                         {"Amritsar", "Punjab"},
                                         {"Guwahati", "Assam"},
                                         {"Panaji", "Goa"}};
static const struct up_postcode postcodes[] = {{"N#####", true}};
static const char *const phones[] = {"N#########"};
static const char *const ids[] = {"N###########"};
static const struct up_tz tzs[] = {{"+5:30", "Bombay, Calcutta, Madras, New Delhi"}};

const struct up_locale up_locale_IN = {
    .code = "IN",
    .country = "India",
    .cells = UP_STRS(phones),
    .id_name = "UIDAI",
    .id_values = UP_STRS(ids),
    .lat_min = 85000,
    .lat_max = 330000,
    .lon_min = 690000,
    .lon_max = 920000,
    UP_LOCALE_ARRAYS,
};
