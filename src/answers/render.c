/* The preview renderer: plain text with links in, an HTML fragment out. The
 * output has exactly three kinds of markup, all written here: the wrapper
 * elements, <br> for line breaks, and <a> for http(s) links whose href is the
 * link's own text, attribute-escaped. Every input byte that is not part of a
 * link goes through the same escaper, so no input can start a tag, an entity
 * the escaper did not write, or an attribute. */
#include "answers/answer.h"

#include <string.h>
#include <strings.h>

static enum ap_status escape_html(struct ap_buf *out, const char *s, size_t len)
{
    enum ap_status rc = AP_OK;
    size_t run = 0;
    for (size_t i = 0; i < len && rc == AP_OK; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        if (i > run)
            ap_buf_append(out, s + run, i - run);
        rc = ap_buf_append_str(out, rep);
        run = i + 1;
    }
    if (rc == AP_OK && len > run)
        rc = ap_buf_append(out, s + run, len - run);
    return rc;
}

/* The length of a link starting at s (with "http://" or "https://"), or 0.
 * A link ends at white space, a control character or a character that cannot
 * appear unescaped in a URL (< > " ` and braces); trailing punctuation that
 * usually ends a sentence is not part of it. */
static size_t link_length(const char *s, size_t len)
{
    size_t scheme;
    if (len >= 8 && strncasecmp(s, "https://", 8) == 0)
        scheme = 8;
    else if (len >= 7 && strncasecmp(s, "http://", 7) == 0)
        scheme = 7;
    else
        return 0;
    size_t n = scheme;
    while (n < len) {
        unsigned char c = (unsigned char)s[n];
        if (c <= 0x20 || c == 0x7f || strchr("<>\"`{}|\\^", c))
            break;
        n++;
    }
    size_t open = 0, close = 0;
    for (size_t i = scheme; i < n; i++) {
        open += s[i] == '(';
        close += s[i] == ')';
    }
    while (n > scheme) {
        char c = s[n - 1];
        if (c == ')' && close > open) {
            close--;
            n--;
        } else if (strchr(".,;:!?'*", c)) {
            n--;
        } else {
            break;
        }
    }
    return n > scheme ? n : 0; /* a bare "https://" is text */
}

/* A link may start at the start of the text or after a character that cannot
 * be part of a word (so "xhttp://" is not a link). */
static bool link_may_start(const char *s, size_t i)
{
    if (i == 0)
        return true;
    unsigned char prev = (unsigned char)s[i - 1];
    return !((prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z') ||
             (prev >= '0' && prev <= '9') || prev == '_' || prev >= 0x80);
}

static enum ap_status render_text(struct ap_buf *out, const char *s, size_t len)
{
    size_t run = 0, i = 0;
    enum ap_status rc = AP_OK;
    while (i < len && rc == AP_OK) {
        size_t link = (s[i] == 'h' || s[i] == 'H') && link_may_start(s, i)
                          ? link_length(s + i, len - i)
                          : 0;
        bool newline = s[i] == '\n' || s[i] == '\r';
        if (!link && !newline) {
            i++;
            continue;
        }
        escape_html(out, s + run, i - run);
        if (newline) {
            ap_buf_append_str(out, "<br>");
            i += s[i] == '\r' && i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
        } else {
            ap_buf_append_str(out, "<a href=\"");
            escape_html(out, s + i, link);
            ap_buf_append_str(out, "\" rel=\"noopener noreferrer nofollow ugc\" target=\"_blank\">");
            escape_html(out, s + i, link);
            rc = ap_buf_append_str(out, "</a>");
            i += link;
        }
        run = i;
    }
    if (rc == AP_OK)
        rc = escape_html(out, s + run, len - run);
    return rc;
}

enum ap_status ap_answer_render_html(const char *question, const char *answer, struct ap_buf *out)
{
    ap_buf_append_str(out, "<div class=\"ap-reply\">");
    if (question && question[0]) {
        ap_buf_append_str(out, "<p class=\"ap-question\">");
        render_text(out, question, strlen(question));
        ap_buf_append_str(out, "</p>");
    }
    ap_buf_append_str(out, "<p class=\"ap-answer\">");
    render_text(out, answer ? answer : "", answer ? strlen(answer) : 0);
    return ap_buf_append_str(out, "</p></div>");
}
