/* Accounts, tokens and roles (SPEC §1, §7): the values, their validation, and
 * token generation and hashing. Storage of them is the store's job. */
#ifndef AP_ACCOUNT_H
#define AP_ACCOUNT_H

#include "core/core.h"

#define AP_ACCOUNT_NAME_MAX 64
#define AP_TIME_ZONE_MAX 64
#define AP_URL_TEMPLATE_MAX 1024
#define AP_INACTIVITY_HOURS_DEFAULT 72
#define AP_INACTIVITY_HOURS_MAX 8760
#define AP_LANGUAGE_TAG_MAX 35
#define AP_DEFAULT_LANGUAGE "en"

/* An account's settings, held by value (no pointers, nothing to free). */
struct ap_account {
    int64_t id;
    char name[AP_ACCOUNT_NAME_MAX + 1];
    char time_zone[AP_TIME_ZONE_MAX + 1];
    int inactivity_hours;
    char conversation_url[AP_URL_TEMPLATE_MAX + 1];
    char ticket_url[AP_URL_TEMPLATE_MAX + 1];
    /* the language questions are stemmed in when an event names none and
     * detection is unsure: a BCP 47 tag the text pipeline can stem */
    char default_language[AP_LANGUAGE_TAG_MAX + 1];
    int64_t created_at_us;
    bool reports_stale; /* the report aggregates must be rebuilt from the events */
    /* its texts may go to the model server of `serve --embeddings-url`
     * (default on; it matters only when one is configured) */
    bool embeddings;
};

/* Fills the defaults of SPEC §1: zone UTC, 72 hours, no URL templates, and
 * English as the default language. */
void ap_account_init(struct ap_account *a, const char *name);
/* Each setter validates and stores one setting; on failure *a is unchanged and
 * err names the field. */
enum ap_status ap_account_set_name(struct ap_account *a, const char *name, struct ap_error *err);
enum ap_status ap_account_set_time_zone(struct ap_account *a, const char *zone,
                                        struct ap_error *err);
enum ap_status ap_account_set_inactivity_hours(struct ap_account *a, const char *hours,
                                               struct ap_error *err);
enum ap_status ap_account_set_conversation_url(struct ap_account *a, const char *tmpl,
                                               struct ap_error *err);
enum ap_status ap_account_set_ticket_url(struct ap_account *a, const char *tmpl,
                                         struct ap_error *err);
enum ap_status ap_account_set_default_language(struct ap_account *a, const char *tag,
                                               struct ap_error *err);
/* "on" or "off": whether the account's texts go to the model server. */
enum ap_status ap_account_set_embeddings(struct ap_account *a, const char *on_off,
                                         struct ap_error *err);

/* Appends the link a template makes for `value` (every placeholder replaced by
 * the percent-encoded value) to out; appends nothing when the template is
 * empty. Returns whether a link was written. */
bool ap_account_conversation_link(const struct ap_account *a, const char *conversation_id,
                                  struct ap_buf *out);
bool ap_account_ticket_link(const struct ap_account *a, const char *ticket_id,
                            struct ap_buf *out);

#define AP_ROLE_MAP(X) X(INGEST, "ingest") X(VIEWER, "viewer") X(ADMIN, "admin")

enum ap_role {
#define AP_ROLE_ENUM(name, str) AP_ROLE_##name,
    AP_ROLE_MAP(AP_ROLE_ENUM)
#undef AP_ROLE_ENUM
    AP_ROLE__COUNT
};

#define AP_ROLE_BIT(role) (1u << (role))
const char *ap_role_name(enum ap_role role);
bool ap_role_parse(const char *name, enum ap_role *out);

#define AP_TOKEN_HASH_SIZE 32
#define AP_TOKEN_TEXT_MAX 64
#define AP_TOKEN_LABEL_MAX 128

struct ap_token {
    int64_t account_id;
    int64_t id;
    enum ap_role role;
    uint8_t hash[AP_TOKEN_HASH_SIZE];
    char label[AP_TOKEN_LABEL_MAX + 1];
    int64_t created_at_us;
    int64_t revoked_at_us; /* 0 while the token is valid */
};

/* Initialises the token library (libsodium); call once at start-up. */
enum ap_status ap_token_library_init(struct ap_error *err);
/* Generates a new secret token ("ap_" + 43 base64url characters of 256 random
 * bits) into text and its hash into hash. */
void ap_token_generate(char text[AP_TOKEN_TEXT_MAX], uint8_t hash[AP_TOKEN_HASH_SIZE]);
/* Hashes a presented token (SHA-256); only hashes are ever stored. */
void ap_token_hash(const char *text, size_t len, uint8_t hash[AP_TOKEN_HASH_SIZE]);
/* Constant-time comparison of two hashes. */
bool ap_token_hash_equal(const uint8_t a[AP_TOKEN_HASH_SIZE], const uint8_t b[AP_TOKEN_HASH_SIZE]);

#endif
