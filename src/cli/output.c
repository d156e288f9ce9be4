/* Text from events and users on a terminal: question text, labels and ids can
 * hold escape sequences (ESC ] title BEL, ESC [ 2J, a bare CR) that a terminal
 * would obey, so human-readable output writes every control character as an
 * escape of its code point instead. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* Code points that move the cursor, change the terminal's state or reorder
 * what is shown: C0, DEL, C1, and the bidirectional overrides and isolates
 * that make text display otherwise than it reads. */
static bool is_control(uint32_t cp)
{
    static const struct {
        uint32_t first, last;
    } ranges[] = {
        {0x00, 0x1F}, {0x7F, 0x9F}, {0x200E, 0x200F}, {0x202A, 0x202E}, {0x2066, 0x2069},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (cp >= ranges[i].first && cp <= ranges[i].last)
            return true;
    return false;
}

void ap_cli_write_text(FILE *out, const char *s, size_t len, bool keep_layout)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t start = 0, i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = ap_utf8_decode(p + i, len - i, &cp);
        /* A CR right before its LF only ends a line (CSV's CRLF); alone it
         * sends the cursor back over what was printed. */
        bool layout = keep_layout && (p[i] == '\n' || p[i] == '\t' ||
                                      (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n'));
        if (n > 0 && (layout || !is_control(cp))) {
            i += n;
            continue;
        }
        fwrite(s + start, 1, i - start, out);
        if (n == 0) {
            fprintf(out, "\\x%02x", p[i]); /* not UTF-8: the byte itself */
            n = 1;
        } else {
            fprintf(out, "\\u%04x", (unsigned)cp);
        }
        i += n;
        start = i;
    }
    fwrite(s + start, 1, len - start, out);
}

void ap_cli_print_text(FILE *out, const char *s)
{
    ap_cli_write_text(out, s ? s : "", s ? strlen(s) : 0, false);
}

void ap_cli_print_problem(FILE *out, size_t line, const char *verdict, const char *id,
                          const char *message)
{
    fprintf(out, "line %zu: %s", line, verdict);
    if (id && id[0]) {
        fputs(" (id ", out);
        ap_cli_print_text(out, id);
        fputc(')', out);
    }
    fputs(": ", out);
    ap_cli_print_text(out, message);
    fputc('\n', out);
}
