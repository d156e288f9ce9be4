/* Background questions for the matcher (internal to src/answers). */
#ifndef AP_ANSWERS_BACKGROUND_H
#define AP_ANSWERS_BACKGROUND_H

#include <stddef.h>

struct ap_background {
    const char *language; /* BCP 47 */
    const char *const *items;
    size_t n;
};

extern const struct ap_background ap_answers_background[];
extern const size_t ap_answers_background_count;

#endif
