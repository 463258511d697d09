/* gen/user: one generated RandomUser user, as plain data. The encoders turn it
 * into JSON, CSV, YAML or XML; this module only decides its contents. */
#ifndef UP_GEN_USER_H
#define UP_GEN_USER_H

#include "core/clock.h"
#include "gen/gen.h"
#include "gen/locale.h"

#include <stdbool.h>
#include <stdint.h>

/* Everything that is the same for every user of one page. */
struct up_gen_page_ctx {
    uint64_t seed_hash;
    enum up_nat nats[UP_NAT_COUNT];
    unsigned nnats;
    enum up_gen_gender gender;
    struct up_gen_password password;
    char now_iso[UP_ISO8601_LEN];
    bool hashes;  /* compute md5/sha1/sha256 (skipped when login is not sent) */
    void *md_ctx; /* EVP_MD_CTX, reused across the page */
};

struct up_gen_user {
    enum up_nat nat;
    const struct up_locale *loc;
    bool female;
    const char *title, *first, *last;
    char street_number[8];
    const char *street, *city, *state;
    char postcode[16];
    bool postcode_numeric;
    char latitude[16], longitude[16];
    const struct up_tz *tz;
    char email[160];
    char uuid[37];
    char username[48];
    char password[UP_GEN_PASSWORD_MAX + 1];
    char salt[9];
    char md5[33], sha1[41], sha256[65];
    char dob[UP_ISO8601_LEN], registered[UP_ISO8601_LEN];
    char dob_age[8], registered_age[8];
    char phone[32], cell[32];
    char id_value[32];
    bool id_null;
    char picture_large[64], picture_medium[64], picture_thumbnail[64];
};

/* Prepares ctx for a page; the effective seed text already includes the page. */
void up_gen_page_ctx_init(struct up_gen_page_ctx *ctx, const char *seed, size_t seed_len,
                          const struct up_gen_params *p);
void up_gen_page_ctx_free(struct up_gen_page_ctx *ctx);
/* Fills u with user number `index` (0-based) of the page. */
void up_gen_user_make(const struct up_gen_page_ctx *ctx, uint32_t index, struct up_gen_user *u);

#endif
