/* gen/locale: the registry of the 21 nationality tables. */
#include "gen/locale.h"

#include <ctype.h>

static const struct up_locale *const locales[UP_NAT_COUNT] = {
#define UP_NAT_PTR(code) &up_locale_##code,
    UP_NAT_LIST(UP_NAT_PTR)
#undef UP_NAT_PTR
};

const struct up_locale *up_locale_get(enum up_nat nat)
{
    return locales[nat];
}

const char *up_nat_code(enum up_nat nat)
{
    return locales[nat]->code;
}

bool up_nat_parse(const char *s, size_t len, enum up_nat *out)
{
    if (len != 2)
        return false;
    for (int i = 0; i < UP_NAT_COUNT; i++) {
        const char *c = locales[i]->code;
        if (toupper((unsigned char)s[0]) == c[0] && toupper((unsigned char)s[1]) == c[1]) {
            *out = (enum up_nat)i;
            return true;
        }
    }
    return false;
}
