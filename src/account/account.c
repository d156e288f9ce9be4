/* Validation of account settings and the token primitives. */
#include "account/account.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/text.h"
#include "tz/tz.h"

void ap_account_init(struct ap_account *a, const char *name)
{
    memset(a, 0, sizeof *a);
    ap_copy_str(a->name, sizeof a->name, name ? name : "");
    snprintf(a->time_zone, sizeof a->time_zone, "UTC");
    a->inactivity_hours = AP_INACTIVITY_HOURS_DEFAULT;
    snprintf(a->default_language, sizeof a->default_language, AP_DEFAULT_LANGUAGE);
    a->embeddings = true;
}

/* Account names are slugs, so they read well in URLs, logs and CLI flags. */
enum ap_status ap_account_set_name(struct ap_account *a, const char *name, struct ap_error *err)
{
    size_t len = strlen(name);
    if (len < 1 || len > AP_ACCOUNT_NAME_MAX)
        return ap_error_set(err, AP_INVALID, "name", "\"name\": must be 1 to %d characters",
                            AP_ACCOUNT_NAME_MAX);
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  (i > 0 && (c == '-' || c == '_' || c == '.'));
        if (!ok)
            return ap_error_set(err, AP_INVALID, "name",
                                "\"name\": use lowercase letters, digits, '-', '_' and '.', "
                                "starting with a letter or digit");
    }
    ap_copy_str(a->name, sizeof a->name, name);
    return AP_OK;
}

enum ap_status ap_account_set_time_zone(struct ap_account *a, const char *zone,
                                        struct ap_error *err)
{
    if (strlen(zone) > AP_TIME_ZONE_MAX || !ap_tz_valid(zone))
        return ap_error_set(err, AP_INVALID, "time_zone",
                            "\"time_zone\": \"%.64s\" is not an IANA time zone", zone);
    ap_copy_str(a->time_zone, sizeof a->time_zone, zone);
    return AP_OK;
}

enum ap_status ap_account_set_inactivity_hours(struct ap_account *a, const char *hours,
                                               struct ap_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(hours, &end, 10);
    if (errno || end == hours || *end != '\0' || v < 1 || v > AP_INACTIVITY_HOURS_MAX)
        return ap_error_set(err, AP_INVALID, "inactivity_hours",
                            "\"inactivity_hours\": must be a whole number from 1 to %d",
                            AP_INACTIVITY_HOURS_MAX);
    a->inactivity_hours = (int)v;
    return AP_OK;
}

/* A template is an http(s) URL holding its placeholder, or empty to unset it. */
static enum ap_status set_url_template(char *dst, size_t dst_size, const char *field,
                                       const char *placeholder, const char *tmpl,
                                       struct ap_error *err)
{
    size_t len = strlen(tmpl);
    if (len == 0) {
        dst[0] = '\0';
        return AP_OK;
    }
    if (len > AP_URL_TEMPLATE_MAX)
        return ap_error_set(err, AP_INVALID, field, "\"%s\": longer than %d bytes", field,
                            AP_URL_TEMPLATE_MAX);
    if (strncmp(tmpl, "https://", 8) != 0 && strncmp(tmpl, "http://", 7) != 0)
        return ap_error_set(err, AP_INVALID, field, "\"%s\": must start with https:// or http://",
                            field);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)tmpl[i] <= 0x20 || tmpl[i] == 0x7f || tmpl[i] == '"' ||
            tmpl[i] == '<' || tmpl[i] == '>')
            return ap_error_set(err, AP_INVALID, field,
                                "\"%s\": must not contain spaces, quotes or control characters",
                                field);
    if (strstr(tmpl, placeholder) == NULL)
        return ap_error_set(err, AP_INVALID, field, "\"%s\": must contain %s", field, placeholder);
    ap_copy_str(dst, dst_size, tmpl);
    return AP_OK;
}

enum ap_status ap_account_set_conversation_url(struct ap_account *a, const char *tmpl,
                                               struct ap_error *err)
{
    return set_url_template(a->conversation_url, sizeof a->conversation_url, "conversation_url",
                            "{conversation_id}", tmpl, err);
}

enum ap_status ap_account_set_ticket_url(struct ap_account *a, const char *tmpl,
                                         struct ap_error *err)
{
    return set_url_template(a->ticket_url, sizeof a->ticket_url, "ticket_url", "{ticket_id}",
                            tmpl, err);
}

/* Only a language the stemmer knows: any other would silently mean "no
 * stemming", which groups worse than English stemming would. */
enum ap_status ap_account_set_default_language(struct ap_account *a, const char *tag,
                                               struct ap_error *err)
{
    size_t len = strlen(tag);
    if (len > AP_LANGUAGE_TAG_MAX || !ap_text_tag_valid(tag, len) ||
        ap_text_stemmer_for(tag) == NULL)
        return ap_error_set(err, AP_INVALID, "default_language",
                            "\"default_language\": \"%.35s\" is not a language the stemmer "
                            "supports (a BCP 47 tag such as \"en\", \"nb\" or \"de\")",
                            tag);
    ap_copy_str(a->default_language, sizeof a->default_language, tag);
    return AP_OK;
}

/* RFC 3986 unreserved characters stay; every other byte is percent-encoded,
 * so an id can neither break out of its path segment nor the URL. */
static void append_encoded(struct ap_buf *out, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            ap_buf_append_char(out, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            ap_buf_append(out, esc, 3);
        }
    }
}

static bool expand_link(const char *tmpl, const char *placeholder, const char *value,
                        struct ap_buf *out)
{
    if (tmpl[0] == '\0' || value == NULL)
        return false;
    size_t plen = strlen(placeholder);
    for (const char *p = tmpl; *p;) {
        const char *hit = strstr(p, placeholder);
        size_t literal = hit ? (size_t)(hit - p) : strlen(p);
        ap_buf_append(out, p, literal);
        if (hit == NULL)
            break;
        append_encoded(out, value);
        p = hit + plen;
    }
    return true;
}

bool ap_account_conversation_link(const struct ap_account *a, const char *conversation_id,
                                  struct ap_buf *out)
{
    return expand_link(a->conversation_url, "{conversation_id}", conversation_id, out);
}

bool ap_account_ticket_link(const struct ap_account *a, const char *ticket_id, struct ap_buf *out)
{
    return expand_link(a->ticket_url, "{ticket_id}", ticket_id, out);
}

static const char *const role_names[] = {
#define AP_ROLE_STR(name, str) str,
    AP_ROLE_MAP(AP_ROLE_STR)
#undef AP_ROLE_STR
};

const char *ap_role_name(enum ap_role role)
{
    return (unsigned)role < AP_ROLE__COUNT ? role_names[role] : "unknown";
}

bool ap_role_parse(const char *name, enum ap_role *out)
{
    int i = ap_name_index(role_names, AP_ROLE__COUNT, name);
    if (i >= 0)
        *out = (enum ap_role)i;
    return i >= 0;
}

enum ap_status ap_token_library_init(struct ap_error *err)
{
    if (sodium_init() < 0)
        return ap_error_set(err, AP_INTERNAL, "", "libsodium failed to initialise");
    return AP_OK;
}

void ap_token_generate(char text[AP_TOKEN_TEXT_MAX], uint8_t hash[AP_TOKEN_HASH_SIZE])
{
    unsigned char secret[32];
    randombytes_buf(secret, sizeof secret);
    memcpy(text, "ap_", 3);
    sodium_bin2base64(text + 3, AP_TOKEN_TEXT_MAX - 3, secret, sizeof secret,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(secret, sizeof secret);
    ap_token_hash(text, strlen(text), hash);
}

void ap_token_hash(const char *text, size_t len, uint8_t hash[AP_TOKEN_HASH_SIZE])
{
    crypto_hash_sha256(hash, (const unsigned char *)text, len);
}

bool ap_token_hash_equal(const uint8_t a[AP_TOKEN_HASH_SIZE], const uint8_t b[AP_TOKEN_HASH_SIZE])
{
    return sodium_memcmp(a, b, AP_TOKEN_HASH_SIZE) == 0;
}

enum ap_status ap_account_set_embeddings(struct ap_account *a, const char *on_off,
                                         struct ap_error *err)
{
    if (strcmp(on_off, "on") != 0 && strcmp(on_off, "off") != 0)
        return ap_error_set(err, AP_INVALID, "embeddings", "\"embeddings\" must be on or off");
    a->embeddings = strcmp(on_off, "on") == 0;
    return AP_OK;
}
