/* Time zones, through ICU's copy of the IANA time-zone database. */
#ifndef AP_TZ_H
#define AP_TZ_H

#include "core/core.h"

#define AP_TZ_ID_MAX 128

/* True when `zone` is a canonical or alias IANA zone id ("Europe/Oslo", "UTC"). */
bool ap_tz_valid(const char *zone);

#endif
