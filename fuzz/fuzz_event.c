/* libFuzzer target: one event line through ap_event_parse (the strict JSON
 * reader, validation and canonical form). Any input must either parse or be
 * rejected with a message naming a field, without a sanitizer report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, not NUL-terminated, so that ASan sees any read past
     * the length the parser was given. */
    char *text = malloc(size ? size : 1);
    if (size)
        memcpy(text, data, size);
    struct ap_event ev;
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_event_parse(text, size, &ev, &err) == AP_OK) {
        /* The canonical form parses again to the same canonical form. */
        struct ap_event again;
        if (ap_event_parse(ev.canonical, ev.canonical_len, &again, &err) != AP_OK ||
            again.canonical_len != ev.canonical_len ||
            memcmp(again.canonical, ev.canonical, ev.canonical_len) != 0)
            abort();
        ap_event_free(&again);
        ap_event_free(&ev);
    } else if (err.message[0] == '\0' || !ap_utf8_valid(err.message, strlen(err.message))) {
        abort(); /* every rejection says why, in text a JSON document can carry */
    }
    char id[64];
    ap_event_peek_id(text, size, id, sizeof id);
    free(text);
    return 0;
}
