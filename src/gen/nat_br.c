/* gen/nat_br: Brazil. */
#include "gen/locale.h"

static const char *const male[] = {
    "João",   "Pedro",  "Lucas",   "Gabriel",  "Matheus", "Rafael",     "Gustavo",
    "Felipe", "Thiago", "Bruno",   "Vinícius", "Caio",    "Leandro",    "Rodrigo",
    "Márcio", "Sérgio", "Antônio", "Otávio",   "Diogo",   "Renan",      "Murilo",
    "Cauã",   "Luís",   "André",   "Fábio",    "Heitor",  "João Vitor", "Davi"};
static const char *const female[] = {
    "Ana",      "Maria",    "Júlia",     "Beatriz",   "Larissa",       "Camila",  "Letícia",
    "Fernanda", "Gabriela", "Mariana",   "Bruna",     "Luana",         "Vitória", "Débora",
    "Cecília",  "Lívia",    "Isadora",   "Tainá",     "Jéssica",       "Raíssa",  "Lúcia",
    "Sônia",    "Valéria",  "Conceição", "Ana Clara", "Maria Eduarda", "Yasmin",  "Aline"};
static const char *const last[] = {
    "Silva",     "Santos",     "Oliveira", "Souza",     "Rodrigues", "Ferreira", "Alves",
    "Pereira",   "Lima",       "Gomes",    "Costa",     "Ribeiro",   "Martins",  "Carvalho",
    "Almeida",   "Lopes",      "Sousa",    "Fernandes", "Vieira",    "Barbosa",  "Rocha",
    "Dias",      "Nascimento", "Araújo",   "Moreira",   "Mendes",    "Freitas",  "Conceição",
    "Gonçalves", "Magalhães",  "da Cruz",  "da Mata"};
static const char *const streets[] = {
    "Rua São Paulo",       "Rua Sete de Setembro", "Avenida Brasil",   "Rua Quinze de Novembro",
    "Rua da Paz",          "Rua Tiradentes",       "Rua Dom Pedro II", "Avenida Getúlio Vargas",
    "Rua Santa Luzia",     "Rua das Flores",       "Rua Principal",    "Rua Castro Alves",
    "Rua Bela Vista",      "Travessa São José",    "Rua Rui Barbosa",  "Rua São João ",
    "Rua Duque de Caxias", "Rua Minas Gerais",     "Rua Amazonas",     "Rua Pará"};
static const struct up_place places[] = {{"São Paulo", "São Paulo"},
                                         {"Campinas", "São Paulo"},
                                         {"Santos", "São Paulo"},
                                         {"Ribeirão Preto", "São Paulo"},
                                         {"Rio de Janeiro", "Rio de Janeiro"},
                                         {"Niterói", "Rio de Janeiro"},
                                         {"Belo Horizonte", "Minas Gerais"},
                                         {"Uberlândia", "Minas Gerais"},
                                         {"Juiz de Fora", "Minas Gerais"},
                                         {"Salvador", "Bahia"},
                                         {"Feira de Santana", "Bahia"},
                                         {"Recife", "Pernambuco"},
                                         {"Fortaleza", "Ceará"},
                                         {"Manaus", "Amazonas"},
                                         {"Belém", "Pará"},
                                         {"Curitiba", "Paraná"},
                                         {"Londrina", "Paraná"},
                                         {"Porto Alegre", "Rio Grande do Sul"},
                                         {"Florianópolis", "Santa Catarina"},
                                         {"Goiânia", "Goiás"},
                                         {"São Luís", "Maranhão"},
                                         {"Maceió", "Alagoas"},
                                         {"Natal", "Rio Grande do Norte"},
                                         {"Vitória", "Espírito Santo"}};
static const struct up_postcode postcodes[] = {{"N####", true}};
static const char *const phones[] = {"(##) ####-####"};
static const char *const cells[] = {"(##) 9####-####"};
static const char *const ids[] = {"###.###.###-##"};
static const struct up_tz tzs[] = {{"-3:00", "Brasilia, Sao Paulo, Rio de Janeiro"},
                                   {"-4:00", "Manaus, Cuiaba"},
                                   {"-5:00", "Rio Branco, Acre"},
                                   {"-2:00", "Fernando de Noronha"}};

const struct up_locale up_locale_BR = {
    .code = "BR",
    .country = "Brazil",
    .cells = UP_STRS(cells),
    .id_name = "CPF",
    .id_values = UP_STRS(ids),
    .lat_min = -330000,
    .lat_max = 50000,
    .lon_min = -735000,
    .lon_max = -350000,
    UP_LOCALE_ARRAYS,
};
