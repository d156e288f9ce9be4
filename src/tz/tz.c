/* Time-zone lookups through ICU (ucal), which carries the IANA database. */
#include "tz/tz.h"

#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

bool ap_tz_valid(const char *zone)
{
    UChar id[AP_TZ_ID_MAX], canonical[AP_TZ_ID_MAX];
    UErrorCode status = U_ZERO_ERROR;
    size_t len = strlen(zone);
    if (len == 0 || len >= AP_TZ_ID_MAX)
        return false;
    u_uastrncpy(id, zone, (int32_t)len);
    UBool is_system = 0;
    ucal_getCanonicalTimeZoneID(id, (int32_t)len, canonical, AP_TZ_ID_MAX, &is_system, &status);
    return U_SUCCESS(status) && is_system;
}
