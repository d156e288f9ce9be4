/* Tests of src/ingest/event.h: every accepted shape and every rejection rule of
 * SPEC §2 as one table, the canonical form that decides duplicate versus
 * conflict, and ap_event_peek_id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/event.h"

/* Table lines are short templates; these markers expand to long values:
 * @X<n>@ n times 'x', @U<n>@ n times "ø" (2 bytes), @E<n>@ n times "€"
 * (3 bytes), @N<n>@ n comma-separated numbers, integers and reals mixed. */
static char *expand(const char *tmpl)
{
    struct ap_buf b;
    ap_buf_init(&b, SIZE_MAX / 2);
    for (const char *p = tmpl; *p;) {
        const char *close;
        if (p[0] == '@' && p[1] != '\0' && strchr("XUEN", p[1]) != NULL &&
            (close = strchr(p + 2, '@')) != NULL) {
            unsigned long n = strtoul(p + 2, NULL, 10);
            for (unsigned long i = 0; i < n; i++) {
                switch (p[1]) {
                case 'X': ap_buf_append_char(&b, 'x'); break;
                case 'U': ap_buf_append_str(&b, "\xc3\xb8"); break;
                case 'E': ap_buf_append_str(&b, "\xe2\x82\xac"); break;
                default:
                    if (i % 2)
                        ap_buf_printf(&b, "%s%lu.25", i ? "," : "", i);
                    else
                        ap_buf_printf(&b, "%s%lu", i ? "," : "", i);
                }
            }
            p = close + 1;
        } else {
            ap_buf_append_char(&b, *p++);
        }
    }
    ap_buf_append_char(&b, '\0');
    return ap_buf_steal(&b, NULL);
}

/* The envelope of a valid event of a type, without braces. */
#define ENV(type)                                                                        \
    "\"id\":\"ev-1\",\"type\":\"" type "\",\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":" \
    "\"conv-1\""
#define STARTED ENV("conversation.started")
#define QUESTION ENV("question.asked")
#define HANDED_OFF ENV("conversation.handed_off")
#define REPLIED ENV("human.replied")
#define RESOLVED ENV("conversation.resolved")
#define CLOSED ENV("conversation.closed")
#define TICKET_CLOSED ENV("ticket.closed")
#define FEEDBACK ENV("feedback.submitted")
/* The minimal valid body of each type, after its envelope. */
#define Q_MIN ",\"text\":\"How do I reset my password?\",\"answered\":true"
#define OK_ AP_OK, NULL, NULL
/* A conversation.closed event at a given time. */
#define AT(ts)                                                                 \
    "{\"id\":\"e\",\"type\":\"conversation.closed\",\"at\":\"" ts "\"," \
    "\"conversation_id\":\"c\"}"

struct parse_case {
    const char *name;
    const char *json;          /* a template for expand() */
    enum ap_status status;
    const char *field;         /* the error's field; "" for a JSON-level error */
    const char *message;       /* a substring of the error's message */
};

static const struct parse_case parse_cases[] = {
    /* Every type, minimal and with every field. */
    {"started minimal", "{" STARTED ",\"channel\":\"chat\"}", OK_},
    {"started full", "{" STARTED ",\"channel\":\"web_chat-2\",\"handler\":\"human\"}", OK_},
    {"started handler agent", "{" STARTED ",\"channel\":\"email\",\"handler\":\"agent\"}", OK_},
    {"started channel 32 chars", "{" STARTED ",\"channel\":\"@X32@\"}", OK_},
    {"question minimal", "{" QUESTION Q_MIN "}", OK_},
    {"question answered false", "{" QUESTION ",\"text\":\"x\",\"answered\":false}", OK_},
    {"question full",
     "{" QUESTION Q_MIN ",\"answer_id\":\"sa-17\",\"language\":\"en-US\",\"embedding\":[@N8@]}",
     OK_},
    {"question text 4096 bytes", "{" QUESTION ",\"text\":\"@X4096@\",\"answered\":true}", OK_},
    {"question text 4096 bytes of 2048 ø", "{" QUESTION ",\"text\":\"@U2048@\",\"answered\":true}",
     OK_},
    {"question text with escapes", "{" QUESTION ",\"text\":\"a\\n\\\"b\\u00e9\\ud83d\\ude00\","
     "\"answered\":true}", OK_},
    {"question embedding 8 integers", "{" QUESTION Q_MIN ",\"embedding\":[1,2,3,4,5,6,7,8]}", OK_},
    {"question embedding 8 reals", "{" QUESTION Q_MIN ",\"embedding\":[0.5,-1.25,3e-2,4E+2,"
     "-0.0,6.0,7e0,-8.5e-3]}", OK_},
    {"question embedding 4096", "{" QUESTION Q_MIN ",\"embedding\":[@N4096@]}", OK_},
    {"question language nb", "{" QUESTION Q_MIN ",\"language\":\"nb\"}", OK_},
    {"question language zh-Hant-TW", "{" QUESTION Q_MIN ",\"language\":\"zh-Hant-TW\"}", OK_},
    {"question language es-419", "{" QUESTION Q_MIN ",\"language\":\"es-419\"}", OK_},
    {"question nulls", "{" QUESTION Q_MIN ",\"answer_id\":null,\"language\":null,"
     "\"embedding\":null}", OK_},
    {"handed_off minimal", "{" HANDED_OFF "}", OK_},
    {"handed_off full", "{" HANDED_OFF ",\"member_id\":\"m-1\",\"member_name\":\"Kari Nordmann\","
     "\"ticket_id\":\"T-100\",\"reason\":\"missing_knowledge\"}", OK_},
    {"handed_off nulls", "{" HANDED_OFF ",\"member_id\":null,\"member_name\":null,"
     "\"ticket_id\":null,\"reason\":null}", OK_},
    {"handed_off reason 64 chars", "{" HANDED_OFF ",\"reason\":\"@X64@\"}", OK_},
    {"replied minimal", "{" REPLIED ",\"member_id\":\"m-1\",\"text\":\"Done.\"}", OK_},
    {"replied full", "{" REPLIED ",\"member_id\":\"m-1\",\"member_name\":\"Kari\","
     "\"text\":\"Done.\"}", OK_},
    {"replied text 16384 bytes", "{" REPLIED ",\"member_id\":\"m-1\",\"text\":\"@X16384@\"}", OK_},
    {"resolved by agent", "{" RESOLVED ",\"by\":\"agent\"}", OK_},
    {"resolved by human", "{" RESOLVED ",\"by\":\"human\",\"member_id\":\"m-1\"}", OK_},
    {"resolved full", "{" RESOLVED ",\"by\":\"human\",\"member_id\":\"m-1\","
     "\"member_name\":\"Kari\"}", OK_},
    {"closed", "{" CLOSED "}", OK_},
    {"ticket.closed minimal", "{" TICKET_CLOSED ",\"ticket_id\":\"T-100\"}", OK_},
    {"ticket.closed full", "{" TICKET_CLOSED ",\"ticket_id\":\"T-100\",\"member_id\":\"m-1\","
     "\"member_name\":\"Kari\"}", OK_},
    {"feedback helpful", "{" FEEDBACK ",\"rating\":\"helpful\"}", OK_},
    {"feedback full", "{" FEEDBACK ",\"rating\":\"not_helpful\",\"comment\":\"Slow.\"}", OK_},
    {"feedback empty comment", "{" FEEDBACK ",\"rating\":\"helpful\",\"comment\":\"\"}", OK_},
    {"feedback comment 4096", "{" FEEDBACK ",\"rating\":\"helpful\",\"comment\":\"@X4096@\"}", OK_},
    {"feedback null comment", "{" FEEDBACK ",\"rating\":\"helpful\",\"comment\":null}", OK_},
    /* Envelope variants that are accepted. */
    {"id 128 chars", "{\"id\":\"@X128@\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"c\"}", OK_},
    {"id 128 two-byte chars", "{\"id\":\"@U128@\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"c\"}", OK_},
    {"conversation_id 128 chars", "{\"id\":\"e\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"@X128@\"}", OK_},
    {"at with offset and fraction", "{\"id\":\"e\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T10:15:00.250+01:00\",\"conversation_id\":\"c\"}", OK_},
    {"at first instant of 0000", AT("0000-01-01T00:00:00Z"), OK_},
    {"at last instant of 9999", AT("9999-12-31T23:59:59.999999Z"), OK_},
    {"at 9999 with an eastern offset", AT("9999-12-31T23:59:59+23:59"), OK_},
    {"unknown extra fields", "{" QUESTION Q_MIN ",\"extra\":{\"a\":[1,{\"b\":null}]},"
     "\"x\":\"y\",\"n\":-1.5e3,\"t\":true,\"arr\":[\"s\",1]}", OK_},
    {"known fields of other types", "{" CLOSED ",\"channel\":\"NOT VALID HERE\",\"text\":5}", OK_},
    {"white space around", " \t{ \"id\" : \"e\" ,\"type\":\"conversation.closed\", "
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"c\" }\r\n ", OK_},

    /* id */
    {"id missing", "{\"type\":\"conversation.closed\",\"at\":\"2026-11-02T09:15:00Z\","
     "\"conversation_id\":\"c\"}", AP_INVALID, "id", "\"id\": required"},
    {"id null", "{\"id\":null,\"type\":\"conversation.closed\",\"at\":\"2026-11-02T09:15:00Z\","
     "\"conversation_id\":\"c\"}", AP_INVALID, "id", "\"id\": required"},
    {"id number", "{\"id\":17,\"type\":\"conversation.closed\",\"at\":\"2026-11-02T09:15:00Z\","
     "\"conversation_id\":\"c\"}", AP_INVALID, "id", "\"id\": must be a string"},
    {"id empty", "{\"id\":\"\",\"type\":\"conversation.closed\",\"at\":\"2026-11-02T09:15:00Z\","
     "\"conversation_id\":\"c\"}", AP_INVALID, "id", "\"id\": must be 1 to 128 characters"},
    {"id 129 chars", "{\"id\":\"@X129@\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"c\"}", AP_INVALID, "id",
     "\"id\": must be 1 to 128 characters"},
    {"id 129 two-byte chars", "{\"id\":\"@U129@\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"c\"}", AP_INVALID, "id",
     "\"id\": must be 1 to 128 characters"},
    {"id with tab", "{\"id\":\"a\\tb\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"c\"}", AP_INVALID, "id",
     "\"id\": must not contain control characters"},
    {"id with DEL", "{\"id\":\"a\x7f" "b\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"c\"}", AP_INVALID, "id",
     "\"id\": must not contain control characters"},
    {"id with C1 control", "{\"id\":\"a\\u0085b\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"c\"}", AP_INVALID, "id",
     "\"id\": must not contain control characters"},
    /* type */
    {"type missing", "{\"id\":\"e\",\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"c\"}",
     AP_INVALID, "type", "\"type\": required"},
    {"type number", "{\"id\":\"e\",\"type\":1,\"at\":\"2026-11-02T09:15:00Z\","
     "\"conversation_id\":\"c\"}", AP_INVALID, "type", "\"type\": must be a string"},
    {"type unknown", "{" ENV("conversation.opened") "}", AP_INVALID, "type",
     "\"type\": unknown event type \"conversation.opened\""},
    {"type wrong case", "{" ENV("Conversation.Closed") "}", AP_INVALID, "type",
     "\"type\": unknown event type"},
    {"type empty", "{" ENV("") "}", AP_INVALID, "type", "\"type\": unknown event type"},
    /* at */
    {"at missing", "{\"id\":\"e\",\"type\":\"conversation.closed\",\"conversation_id\":\"c\"}",
     AP_INVALID, "at", "\"at\": required"},
    {"at number", "{\"id\":\"e\",\"type\":\"conversation.closed\",\"at\":1793610900,"
     "\"conversation_id\":\"c\"}", AP_INVALID, "at", "\"at\": must be a string"},
    {"at without offset", AT("2026-11-02T09:15:00"), AP_INVALID, "at",
     "\"at\": not an RFC 3339 timestamp"},
    {"at month 13", AT("2026-13-02T09:15:00Z"), AP_INVALID, "at",
     "\"at\": not an RFC 3339 timestamp"},
    {"at February 30", AT("2026-02-30T09:15:00Z"), AP_INVALID, "at",
     "\"at\": not an RFC 3339 timestamp"},
    {"at hour 24", AT("2026-11-02T24:00:00Z"), AP_INVALID, "at",
     "\"at\": not an RFC 3339 timestamp"},
    {"at date only", AT("2026-11-02"), AP_INVALID, "at", "\"at\": not an RFC 3339 timestamp"},
    {"at space separator", AT("2026-11-02 09:15:00Z"), AP_INVALID, "at",
     "\"at\": not an RFC 3339 timestamp"},
    {"at offset without colon", AT("2026-11-02T09:15:00+0100"), AP_INVALID, "at",
     "\"at\": not an RFC 3339 timestamp"},
    {"at before 0000 in UTC", AT("0000-01-01T00:00:00+00:01"), AP_INVALID, "at",
     "\"at\": not an RFC 3339 timestamp"},
    {"at after 9999 in UTC", AT("9999-12-31T23:59:59-00:01"), AP_INVALID, "at",
     "\"at\": not an RFC 3339 timestamp"},
    {"at empty", AT(""), AP_INVALID, "at", "\"at\": not an RFC 3339 timestamp"},
    {"at epoch seconds as string", AT("1793610900"), AP_INVALID, "at",
     "\"at\": not an RFC 3339 timestamp"},
    /* conversation_id */
    {"conversation_id missing", "{\"id\":\"e\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\"}", AP_INVALID, "conversation_id",
     "\"conversation_id\": required"},
    {"conversation_id number", "{\"id\":\"e\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":7}", AP_INVALID, "conversation_id",
     "\"conversation_id\": must be a string"},
    {"conversation_id empty", "{\"id\":\"e\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"\"}", AP_INVALID, "conversation_id",
     "\"conversation_id\": must be 1 to 128 characters"},
    {"conversation_id 129 chars", "{\"id\":\"e\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"@X129@\"}", AP_INVALID,
     "conversation_id", "\"conversation_id\": must be 1 to 128 characters"},
    {"conversation_id newline", "{\"id\":\"e\",\"type\":\"conversation.closed\","
     "\"at\":\"2026-11-02T09:15:00Z\",\"conversation_id\":\"a\\nb\"}", AP_INVALID,
     "conversation_id", "\"conversation_id\": must not contain control characters"},
    /* conversation.started */
    {"channel missing", "{" STARTED "}", AP_INVALID, "channel",
     "\"channel\": required for conversation.started"},
    {"channel null", "{" STARTED ",\"channel\":null}", AP_INVALID, "channel",
     "\"channel\": required"},
    {"channel uppercase", "{" STARTED ",\"channel\":\"Chat\"}", AP_INVALID, "channel",
     "\"channel\": must be 1 to 32 characters of [a-z0-9_-]"},
    {"channel 33 chars", "{" STARTED ",\"channel\":\"@X33@\"}", AP_INVALID, "channel",
     "\"channel\": must be 1 to 32 characters"},
    {"channel empty", "{" STARTED ",\"channel\":\"\"}", AP_INVALID, "channel",
     "\"channel\": must be 1 to 32 characters"},
    {"channel with space", "{" STARTED ",\"channel\":\"web chat\"}", AP_INVALID, "channel",
     "\"channel\": must be"},
    {"channel non-ASCII", "{" STARTED ",\"channel\":\"s\xc3\xb8k\"}", AP_INVALID, "channel",
     "\"channel\": must be"},
    {"channel number", "{" STARTED ",\"channel\":5}", AP_INVALID, "channel",
     "\"channel\": must be a string"},
    {"handler bot", "{" STARTED ",\"channel\":\"chat\",\"handler\":\"bot\"}", AP_INVALID,
     "handler", "\"handler\": must be \"agent\" or \"human\""},
    {"handler uppercase", "{" STARTED ",\"channel\":\"chat\",\"handler\":\"Human\"}", AP_INVALID,
     "handler", "\"handler\": must be \"agent\" or \"human\""},
    {"handler bool", "{" STARTED ",\"channel\":\"chat\",\"handler\":true}", AP_INVALID,
     "handler", "\"handler\": must be a string"},
    /* question.asked */
    {"question text missing", "{" QUESTION ",\"answered\":true}", AP_INVALID, "text",
     "\"text\": required for question.asked"},
    {"question text empty", "{" QUESTION ",\"text\":\"\",\"answered\":true}", AP_INVALID, "text",
     "\"text\": must be 1 to 4096 bytes of UTF-8, got 0"},
    {"question text 4097 bytes", "{" QUESTION ",\"text\":\"@X4097@\",\"answered\":true}",
     AP_INVALID, "text", "\"text\": must be 1 to 4096 bytes of UTF-8, got 4097"},
    {"question text 2049 ø (4098 bytes)", "{" QUESTION ",\"text\":\"@U2049@\",\"answered\":true}",
     AP_INVALID, "text", "got 4098"},
    {"question text number", "{" QUESTION ",\"text\":42,\"answered\":true}", AP_INVALID, "text",
     "\"text\": must be a string"},
    {"answered missing", "{" QUESTION ",\"text\":\"x\"}", AP_INVALID, "answered",
     "\"answered\": required for question.asked"},
    {"answered null", "{" QUESTION ",\"text\":\"x\",\"answered\":null}", AP_INVALID, "answered",
     "\"answered\": required"},
    {"answered string", "{" QUESTION ",\"text\":\"x\",\"answered\":\"true\"}", AP_INVALID,
     "answered", "\"answered\": must be true or false"},
    {"answered number", "{" QUESTION ",\"text\":\"x\",\"answered\":1}", AP_INVALID, "answered",
     "\"answered\": must be true or false"},
    {"answer_id empty", "{" QUESTION Q_MIN ",\"answer_id\":\"\"}", AP_INVALID, "answer_id",
     "\"answer_id\": must be 1 to 128 characters"},
    {"answer_id number", "{" QUESTION Q_MIN ",\"answer_id\":17}", AP_INVALID, "answer_id",
     "\"answer_id\": must be a string"},
    {"language underscore", "{" QUESTION Q_MIN ",\"language\":\"en_US\"}", AP_INVALID,
     "language", "\"language\": not a BCP 47 language tag"},
    {"language one letter", "{" QUESTION Q_MIN ",\"language\":\"e\"}", AP_INVALID, "language",
     "\"language\": not a BCP 47 language tag"},
    {"language trailing hyphen", "{" QUESTION Q_MIN ",\"language\":\"en-\"}", AP_INVALID,
     "language", "\"language\": not a BCP 47 language tag"},
    {"language digits", "{" QUESTION Q_MIN ",\"language\":\"123\"}", AP_INVALID, "language",
     "\"language\": not a BCP 47 language tag"},
    {"language with a space", "{" QUESTION Q_MIN ",\"language\":\"en US\"}", AP_INVALID, "language",
     "\"language\": not a BCP 47 language tag"},
    {"language subtag of 9", "{" QUESTION Q_MIN ",\"language\":\"en-abcdefghi\"}", AP_INVALID,
     "language", "\"language\": not a BCP 47 language tag"},
    {"language empty", "{" QUESTION Q_MIN ",\"language\":\"\"}", AP_INVALID, "language",
     "\"language\": not a BCP 47 language tag"},
    {"language number", "{" QUESTION Q_MIN ",\"language\":47}", AP_INVALID, "language",
     "\"language\": must be a string"},
    {"embedding 7 numbers", "{" QUESTION Q_MIN ",\"embedding\":[@N7@]}", AP_INVALID, "embedding",
     "\"embedding\": must have 8 to 4096 numbers, got 7"},
    {"embedding 4097 numbers", "{" QUESTION Q_MIN ",\"embedding\":[@N4097@]}", AP_INVALID,
     "embedding", "\"embedding\": must have 8 to 4096 numbers, got 4097"},
    {"embedding empty", "{" QUESTION Q_MIN ",\"embedding\":[]}", AP_INVALID, "embedding",
     "got 0"},
    {"embedding with a string", "{" QUESTION Q_MIN ",\"embedding\":[1,2,3,\"4\",5,6,7,8]}",
     AP_INVALID, "embedding", "\"embedding\": must be an array of numbers"},
    {"embedding with null", "{" QUESTION Q_MIN ",\"embedding\":[1,2,3,null,5,6,7,8]}",
     AP_INVALID, "embedding", "\"embedding\": must be an array of numbers"},
    {"embedding nested", "{" QUESTION Q_MIN ",\"embedding\":[[1,2,3,4,5,6,7,8]]}", AP_INVALID,
     "embedding", "\"embedding\": must be an array of numbers"},
    {"embedding string", "{" QUESTION Q_MIN ",\"embedding\":\"1,2,3,4,5,6,7,8\"}", AP_INVALID,
     "embedding", "\"embedding\": must be an array of numbers"},
    {"embedding object", "{" QUESTION Q_MIN ",\"embedding\":{\"0\":1}}", AP_INVALID,
     "embedding", "\"embedding\": must be an array of numbers"},
    {"embedding overflows to infinity", "{" QUESTION Q_MIN ",\"embedding\":[1,2,3,1e999,5,6,7,8]}",
     AP_INVALID, "embedding", "\"embedding\": item 3 is not a finite number"},
    /* conversation.handed_off */
    {"reason 65 chars", "{" HANDED_OFF ",\"reason\":\"@X65@\"}", AP_INVALID, "reason",
     "\"reason\": must be 1 to 64 characters"},
    {"reason empty", "{" HANDED_OFF ",\"reason\":\"\"}", AP_INVALID, "reason",
     "\"reason\": must be 1 to 64 characters"},
    {"reason control char", "{" HANDED_OFF ",\"reason\":\"a\\u0001\"}", AP_INVALID, "reason",
     "\"reason\": must not contain control characters"},
    {"ticket_id empty on handoff", "{" HANDED_OFF ",\"ticket_id\":\"\"}", AP_INVALID,
     "ticket_id", "\"ticket_id\": must be 1 to 128 characters"},
    {"member_id 129 chars", "{" HANDED_OFF ",\"member_id\":\"@X129@\"}", AP_INVALID, "member_id",
     "\"member_id\": must be 1 to 128 characters"},
    {"member_id with control char", "{" HANDED_OFF ",\"member_id\":\"m\\u001b\"}", AP_INVALID,
     "member_id", "\"member_id\": must not contain control characters"},
    {"ticket_id 129 chars", "{" TICKET_CLOSED ",\"ticket_id\":\"@X129@\"}", AP_INVALID,
     "ticket_id", "\"ticket_id\": must be 1 to 128 characters"},
    {"member_name 129 chars", "{" HANDED_OFF ",\"member_id\":\"m\",\"member_name\":\"@X129@\"}",
     AP_INVALID, "member_name", "\"member_name\": must be 1 to 128 characters"},
    {"member_name empty", "{" HANDED_OFF ",\"member_id\":\"m\",\"member_name\":\"\"}", AP_INVALID,
     "member_name", "\"member_name\": must be 1 to 128 characters"},
    {"member_name number", "{" HANDED_OFF ",\"member_id\":\"m\",\"member_name\":1}", AP_INVALID,
     "member_name", "\"member_name\": must be a string"},
    /* human.replied */
    {"replied member_id missing", "{" REPLIED ",\"text\":\"Done.\"}", AP_INVALID, "member_id",
     "\"member_id\": required for human.replied"},
    {"replied text missing", "{" REPLIED ",\"member_id\":\"m\"}", AP_INVALID, "text",
     "\"text\": required for human.replied"},
    {"replied text empty", "{" REPLIED ",\"member_id\":\"m\",\"text\":\"\"}", AP_INVALID, "text",
     "\"text\": must be 1 to 16384 bytes"},
    {"replied text 16385 bytes", "{" REPLIED ",\"member_id\":\"m\",\"text\":\"@X16385@\"}",
     AP_INVALID, "text", "\"text\": must be 1 to 16384 bytes of UTF-8, got 16385"},
    /* conversation.resolved */
    {"by missing", "{" RESOLVED "}", AP_INVALID, "by",
     "\"by\": required for conversation.resolved"},
    {"by invalid", "{" RESOLVED ",\"by\":\"bot\"}", AP_INVALID, "by",
     "\"by\": must be \"agent\" or \"human\""},
    {"by number", "{" RESOLVED ",\"by\":1}", AP_INVALID, "by", "\"by\": must be a string"},
    {"by human without member_id", "{" RESOLVED ",\"by\":\"human\"}", AP_INVALID, "member_id",
     "\"member_id\": required when \"by\" is \"human\""},
    {"by human with null member_id", "{" RESOLVED ",\"by\":\"human\",\"member_id\":null}",
     AP_INVALID, "member_id", "\"member_id\": required when \"by\" is \"human\""},
    /* ticket.closed */
    {"ticket_id missing", "{" TICKET_CLOSED "}", AP_INVALID, "ticket_id",
     "\"ticket_id\": required for ticket.closed"},
    {"ticket_id number", "{" TICKET_CLOSED ",\"ticket_id\":100}", AP_INVALID, "ticket_id",
     "\"ticket_id\": must be a string"},
    /* feedback.submitted */
    {"rating missing", "{" FEEDBACK "}", AP_INVALID, "rating",
     "\"rating\": required for feedback.submitted"},
    {"rating invalid", "{" FEEDBACK ",\"rating\":\"meh\"}", AP_INVALID, "rating",
     "\"rating\": must be \"not_helpful\" or \"helpful\""},
    {"rating bool", "{" FEEDBACK ",\"rating\":true}", AP_INVALID, "rating",
     "\"rating\": must be a string"},
    {"comment 4097 bytes", "{" FEEDBACK ",\"rating\":\"helpful\",\"comment\":\"@X4097@\"}",
     AP_INVALID, "comment", "\"comment\": must be 0 to 4096 bytes of UTF-8, got 4097"},
    {"comment 1366 € (4098 bytes)",
     "{" FEEDBACK ",\"rating\":\"helpful\",\"comment\":\"@E1366@\"}",
     AP_INVALID, "comment", "got 4098"},
    /* Not UTF-8, not JSON, not an object. */
    {"invalid UTF-8 byte", "{" QUESTION ",\"text\":\"caf\xff\",\"answered\":true}", AP_INVALID,
     "", "invalid JSON"},
    {"overlong UTF-8", "{" QUESTION ",\"text\":\"\xc0\xaf\",\"answered\":true}", AP_INVALID, "",
     "invalid JSON"},
    {"UTF-8 surrogate", "{" QUESTION ",\"text\":\"\xed\xa0\x80\",\"answered\":true}", AP_INVALID,
     "", "invalid JSON"},
    {"truncated UTF-8", "{" QUESTION ",\"text\":\"\xe2\x82\",\"answered\":true}", AP_INVALID, "",
     "invalid JSON"},
    {"invalid UTF-8 in an unknown field", "{" CLOSED ",\"x\":\"\xfe\"}", AP_INVALID, "",
     "invalid JSON"},
    {"invalid UTF-8 in a key", "{" CLOSED ",\"\xff\":1}", AP_INVALID, "", "invalid JSON"},
    {"lone surrogate escape", "{" QUESTION ",\"text\":\"\\ud800\",\"answered\":true}",
     AP_INVALID, "", "invalid JSON"},
    {"NUL escape", "{" QUESTION ",\"text\":\"a\\u0000b\",\"answered\":true}", AP_INVALID, "",
     "invalid JSON"},
    {"raw control char in string", "{" QUESTION ",\"text\":\"a\tb\",\"answered\":true}",
     AP_INVALID, "", "invalid JSON"},
    {"duplicate key", "{" CLOSED ",\"id\":\"ev-2\"}", AP_INVALID, "", "duplicate key"},
    {"duplicate unknown key", "{" CLOSED ",\"x\":1,\"x\":1}", AP_INVALID, "", "duplicate key"},
    {"array", "[{" CLOSED "}]", AP_INVALID, "", "invalid JSON"},
    {"number", "42", AP_INVALID, "", "invalid JSON"},
    {"string", "\"event\"", AP_INVALID, "", "invalid JSON"},
    {"null", "null", AP_INVALID, "", "invalid JSON"},
    {"empty", "", AP_INVALID, "", "invalid JSON"},
    {"empty object", "{}", AP_INVALID, "id", "\"id\": required"},
    {"truncated object", "{" CLOSED, AP_INVALID, "", "invalid JSON"},
    {"trailing comma", "{" CLOSED ",}", AP_INVALID, "", "invalid JSON"},
    {"text after the object", "{" CLOSED "} x", AP_INVALID, "", "invalid JSON"},
    {"two objects", "{" CLOSED "}{" CLOSED "}", AP_INVALID, "", "invalid JSON"},
    {"single quotes", "{'id':'e'}", AP_INVALID, "", "invalid JSON"},
    {"leading plus", "{" QUESTION Q_MIN ",\"embedding\":[+1,2,3,4,5,6,7,8]}", AP_INVALID, "",
     "invalid JSON"},
    {"NaN", "{" QUESTION Q_MIN ",\"embedding\":[NaN,2,3,4,5,6,7,8]}", AP_INVALID, "",
     "invalid JSON"},
};

#define N_PARSE_CASES (sizeof parse_cases / sizeof parse_cases[0])

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_PARSE_CASES; i++) {
        const struct parse_case *c = &parse_cases[i];
        char *json = expand(c->json);
        struct ap_event ev;
        struct ap_error err;
        ap_error_clear(&err);
        enum ap_status rc = ap_event_parse(json, strlen(json), &ev, &err);
        if (rc != c->status)
            fail_msg("%s: status %s, expected %s (%s)", c->name, ap_status_code(rc),
                     ap_status_code(c->status), err.message);
        if (rc == AP_OK) {
            if (ev.canonical == NULL || ev.canonical_len != strlen(ev.canonical))
                fail_msg("%s: no canonical form", c->name);
            ap_event_free(&ev);
        } else {
            if (err.status != rc)
                fail_msg("%s: err.status %s", c->name, ap_status_code(err.status));
            if (strcmp(err.field, c->field) != 0)
                fail_msg("%s: field \"%s\", expected \"%s\" (%s)", c->name, err.field, c->field,
                         err.message);
            if (strstr(err.message, c->message) == NULL)
                fail_msg("%s: message '%s' lacks '%s'", c->name, err.message, c->message);
            /* A field error names the field first: "at": not an RFC 3339 timestamp. */
            if (c->field[0] != '\0') {
                char prefix[80];
                snprintf(prefix, sizeof prefix, "\"%s\": ", c->field);
                if (strncmp(err.message, prefix, strlen(prefix)) != 0)
                    fail_msg("%s: message '%s' does not start with '%s'", c->name, err.message,
                             prefix);
            } else if (strncmp(err.message, "invalid JSON", 12) != 0) {
                fail_msg("%s: message '%s' does not start with 'invalid JSON'", c->name,
                         err.message);
            }
        }
        free(json);
    }
}

/* The type is not known when the id is missing, so the message must not name one. */
static void test_missing_id_message(void **state)
{
    (void)state;
    static const char json[] = "{\"type\":\"question.asked\",\"at\":\"2026-11-02T09:15:00Z\","
                               "\"conversation_id\":\"c\",\"text\":\"x\",\"answered\":true}";
    struct ap_event ev;
    struct ap_error err;
    assert_int_equal(ap_event_parse(json, strlen(json), &ev, &err), AP_INVALID);
    assert_string_equal(err.field, "id");
    assert_string_equal(err.message, "\"id\": required");
}

/* A parser given a length must not read past it (lines come from a buffer). */
static void test_parse_respects_length(void **state)
{
    (void)state;
    static const char text[] = "{" CLOSED "}garbage";
    struct ap_event ev;
    struct ap_error err;
    size_t len = strlen("{" CLOSED "}");
    char *copy = ap_malloc(len); /* no terminator: ASan catches an overread */
    memcpy(copy, text, len);
    assert_int_equal(ap_event_parse(copy, len, &ev, &err), AP_OK);
    ap_event_free(&ev);
    assert_int_equal(ap_event_parse(copy, len - 1, &ev, &err), AP_INVALID);
    free(copy);
}

static void parse_ok(const char *json, struct ap_event *ev)
{
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_event_parse(json, strlen(json), ev, &err) != AP_OK)
        fail_msg("rejected %s: %s", json, err.message);
}

static void test_fields_question(void **state)
{
    (void)state;
    struct ap_event ev;
    parse_ok("{\"id\":\"q-1\",\"type\":\"question.asked\",\"at\":\"2026-11-02T10:15:00.250+01:00\","
             "\"conversation_id\":\"conv-9\",\"text\":\"Hvor er pakken min?\\n\\u00e9\","
             "\"answered\":false,\"answer_id\":\"sa-3\",\"language\":\"nb\","
             "\"embedding\":[1,-0.5,2e1,3.25,0,1E-3,7,8]}",
             &ev);
    assert_string_equal(ev.id, "q-1");
    assert_int_equal(ev.type, AP_EV_QUESTION);
    assert_int_equal(ev.at_us, INT64_C(1793610900250000));
    assert_string_equal(ev.conversation_id, "conv-9");
    assert_string_equal(ev.text, "Hvor er pakken min?\n\xc3\xa9");
    assert_false(ev.answered);
    assert_string_equal(ev.answer_id, "sa-3");
    assert_string_equal(ev.language, "nb");
    assert_int_equal(ev.embedding_len, 8);
    static const double want[] = {1, -0.5, 20, 3.25, 0, 0.001, 7, 8};
    for (size_t i = 0; i < 8; i++)
        assert_true(ev.embedding[i] == want[i]);
    assert_null(ev.channel);
    assert_null(ev.member_id);
    ap_event_free(&ev);
    assert_null(ev.canonical); /* free resets the event */

    parse_ok("{" QUESTION ",\"text\":\"x\",\"answered\":true}", &ev);
    assert_true(ev.answered);
    assert_null(ev.answer_id);
    assert_null(ev.language);
    assert_null(ev.embedding);
    assert_int_equal(ev.embedding_len, 0);
    ap_event_free(&ev);
}

static void test_fields_other_types(void **state)
{
    (void)state;
    struct ap_event ev;

    parse_ok("{" STARTED ",\"channel\":\"whatsapp\"}", &ev);
    assert_int_equal(ev.type, AP_EV_STARTED);
    assert_string_equal(ev.channel, "whatsapp");
    assert_false(ev.handler_human);
    assert_string_equal(ap_event_fact_attr(&ev), "whatsapp");
    ap_event_free(&ev);
    parse_ok("{" STARTED ",\"channel\":\"voice\",\"handler\":\"human\"}", &ev);
    assert_true(ev.handler_human);
    assert_int_equal(ap_event_fact_flags(&ev), AP_FACT_HANDLER_HUMAN);
    ap_event_free(&ev);

    parse_ok("{" HANDED_OFF ",\"member_id\":\"m-1\",\"member_name\":\"Kari\","
             "\"ticket_id\":\"T-1\",\"reason\":\"policy\"}", &ev);
    assert_int_equal(ev.type, AP_EV_HANDED_OFF);
    assert_string_equal(ev.member_id, "m-1");
    assert_string_equal(ev.member_name, "Kari");
    assert_string_equal(ev.ticket_id, "T-1");
    assert_string_equal(ev.reason, "policy");
    assert_string_equal(ap_event_fact_attr(&ev), "policy");
    ap_event_free(&ev);

    parse_ok("{" REPLIED ",\"member_id\":\"m-2\",\"text\":\"Fixed.\"}", &ev);
    assert_int_equal(ev.type, AP_EV_HUMAN_REPLIED);
    assert_string_equal(ev.text, "Fixed.");
    assert_string_equal(ev.member_id, "m-2");
    ap_event_free(&ev);

    parse_ok("{" RESOLVED ",\"by\":\"agent\"}", &ev);
    assert_false(ev.by_human);
    ap_event_free(&ev);
    parse_ok("{" RESOLVED ",\"by\":\"human\",\"member_id\":\"m-3\"}", &ev);
    assert_true(ev.by_human);
    assert_string_equal(ev.member_id, "m-3");
    assert_int_equal(ap_event_fact_flags(&ev), AP_FACT_BY_HUMAN);
    ap_event_free(&ev);

    parse_ok("{" CLOSED "}", &ev);
    assert_int_equal(ev.type, AP_EV_CLOSED);
    ap_event_free(&ev);

    parse_ok("{" TICKET_CLOSED ",\"ticket_id\":\"T-9\"}", &ev);
    assert_int_equal(ev.type, AP_EV_TICKET_CLOSED);
    assert_string_equal(ev.ticket_id, "T-9");
    assert_null(ev.member_id);
    ap_event_free(&ev);

    parse_ok("{" FEEDBACK ",\"rating\":\"helpful\",\"comment\":\"Takk!\"}", &ev);
    assert_true(ev.helpful);
    assert_string_equal(ev.comment, "Takk!");
    assert_int_equal(ap_event_fact_flags(&ev), AP_FACT_HELPFUL);
    ap_event_free(&ev);
    parse_ok("{" FEEDBACK ",\"rating\":\"not_helpful\"}", &ev);
    assert_false(ev.helpful);
    assert_null(ev.comment);
    ap_event_free(&ev);
}

/* Limits of the JSON reader that guard the parser: nesting depth and members. */
static void test_json_limits(void **state)
{
    (void)state;
    static const struct {
        size_t depth, extra_members;
        enum ap_status status;
        const char *message;
    } cases[] = {
        {10, 0, AP_OK, NULL},
        {60, 0, AP_OK, NULL},
        {100, 0, AP_INVALID, "nested deeper than 64 levels (max_depth)"},
        {100000, 0, AP_INVALID, "nested deeper than 64 levels (max_depth)"},
        {0, 252, AP_OK, NULL}, /* 4 envelope members + 252 = 256 */
        {0, 253, AP_INVALID, "more than 256 members"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ap_buf b;
        ap_buf_init(&b, SIZE_MAX / 2);
        ap_buf_append_str(&b, "{" CLOSED);
        if (cases[i].depth > 0) {
            ap_buf_append_str(&b, ",\"deep\":");
            for (size_t d = 0; d < cases[i].depth; d++)
                ap_buf_append_str(&b, d % 2 ? "{\"k\":" : "[");
            ap_buf_append_char(&b, '1');
            for (size_t d = cases[i].depth; d-- > 0;)
                ap_buf_append_char(&b, d % 2 ? '}' : ']');
        }
        for (size_t m = 0; m < cases[i].extra_members; m++)
            ap_buf_printf(&b, ",\"x%zu\":%zu", m, m);
        ap_buf_append_char(&b, '}');
        struct ap_event ev;
        struct ap_error err;
        enum ap_status rc = ap_event_parse(b.data, b.len, &ev, &err);
        if (rc != cases[i].status)
            fail_msg("case %zu: status %s (%s)", i, ap_status_code(rc),
                     rc == AP_OK ? "" : err.message);
        if (rc == AP_OK)
            ap_event_free(&ev);
        else if (strstr(err.message, cases[i].message) == NULL)
            fail_msg("case %zu: message '%s'", i, err.message);
        ap_buf_free(&b);
    }
}

static void test_type_names(void **state)
{
    (void)state;
    enum ap_event_type t;
    for (unsigned i = 0; i < AP_EV__COUNT; i++) {
        assert_true(ap_event_type_parse(ap_event_type_name((enum ap_event_type)i), &t));
        assert_int_equal(t, i);
    }
    assert_false(ap_event_type_parse("conversation", &t));
    assert_string_equal(ap_event_type_name(AP_EV__COUNT), "unknown");
}

/* Returns the canonical form of an accepted line, owned by the caller. */
static char *canonical(const char *tmpl)
{
    char *json = expand(tmpl);
    struct ap_event ev;
    parse_ok(json, &ev);
    char *c = ap_strdup(ev.canonical);
    ap_event_free(&ev);
    free(json);
    return c;
}

/* The stored bytes: changing them would turn retries of old events into conflicts. */
static void test_canonical_exact(void **state)
{
    (void)state;
    static const struct {
        const char *json, *canonical;
    } cases[] = {
        {"{\"conversation_id\":\"c\",\"id\":\"e\",\"type\":\"conversation.started\","
         "\"at\":\"2026-11-02T10:15:00.250+01:00\",\"channel\":\"chat\",\"x\":1}",
         "{\"id\":\"e\",\"type\":\"conversation.started\",\"at\":\"2026-11-02T09:15:00.25Z\","
         "\"conversation_id\":\"c\",\"channel\":\"chat\",\"handler\":\"agent\"}"},
        {"{" QUESTION ",\"embedding\":[1,0.5,2e0,-3,4,5,6,1e-7],\"language\":\"nb\","
         "\"text\":\"a\\\"\\u00e9\\/\",\"answered\":false}",
         "{\"id\":\"ev-1\",\"type\":\"question.asked\",\"at\":\"2026-11-02T09:15:00Z\","
         "\"conversation_id\":\"conv-1\",\"text\":\"a\\\"\xc3\xa9/\",\"answered\":false,"
         "\"language\":\"nb\",\"embedding\":[1,0.5,2,-3,4,5,6,9.9999999999999995e-08]}"},
        {"{" RESOLVED ",\"member_name\":\"K\",\"member_id\":\"m\",\"by\":\"human\"}",
         "{\"id\":\"ev-1\",\"type\":\"conversation.resolved\",\"at\":\"2026-11-02T09:15:00Z\","
         "\"conversation_id\":\"conv-1\",\"by\":\"human\",\"member_id\":\"m\","
         "\"member_name\":\"K\"}"},
        {"{" FEEDBACK ",\"rating\":\"not_helpful\"}",
         "{\"id\":\"ev-1\",\"type\":\"feedback.submitted\",\"at\":\"2026-11-02T09:15:00Z\","
         "\"conversation_id\":\"conv-1\",\"rating\":\"not_helpful\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *c = canonical(cases[i].json);
        assert_string_equal(c, cases[i].canonical);
        free(c);
    }
}

/* Lines of one group are the same event; each group's lines must give
 * byte-identical canonical forms. */
static const char *const same_groups[][6] = {
    {   /* key order and white space */
        "{" QUESTION ",\"text\":\"Hi\",\"answered\":true,\"language\":\"en\"}",
        "{\"language\":\"en\",\"answered\":true,\"text\":\"Hi\",\"conversation_id\":\"conv-1\","
        "\"at\":\"2026-11-02T09:15:00Z\",\"type\":\"question.asked\",\"id\":\"ev-1\"}",
        "  {\t\"id\" :\"ev-1\" , \"type\":\"question.asked\",\r\"at\":\"2026-11-02T09:15:00Z\","
        "\n\"conversation_id\" : \"conv-1\", \"text\" : \"Hi\" ,\"answered\" : true ,"
        "\"language\":\"en\"  }  ",
        NULL},
    {   /* number notation in an embedding */
        "{" QUESTION Q_MIN ",\"embedding\":[1,2,3,4,5,6,7,0.5]}",
        "{" QUESTION Q_MIN ",\"embedding\":[1.0,2.00,3.0,4.0,5.0,6.0,7.0,0.50]}",
        "{" QUESTION Q_MIN ",\"embedding\":[1e0,2E0,3e+0,0.4e1,50e-1,6.0e0,700E-2,5e-1]}",
        "{" QUESTION Q_MIN ",\"embedding\":[1.00000000000000000000001,2,3,4,5,6,7,0.5]}",
        NULL},
    {   /* zero and negative zero are the same number */
        "{" QUESTION Q_MIN ",\"embedding\":[0,0,0,0,0,0,0,0]}",
        "{" QUESTION Q_MIN ",\"embedding\":[-0,0.0,-0.0,0e5,-0e-3,0,0,0]}",
        NULL},
    {   /* offset notation of the same instant */
        "{\"id\":\"e\",\"type\":\"conversation.closed\",\"at\":\"2026-11-02T09:15:00Z\","
        "\"conversation_id\":\"c\"}",
        "{\"id\":\"e\",\"type\":\"conversation.closed\",\"at\":\"2026-11-02T10:15:00+01:00\","
        "\"conversation_id\":\"c\"}",
        "{\"id\":\"e\",\"type\":\"conversation.closed\",\"at\":\"2026-11-02T04:00:00-05:15\","
        "\"conversation_id\":\"c\"}",
        "{\"id\":\"e\",\"type\":\"conversation.closed\",\"at\":\"2026-11-02T09:15:00.000+00:00\","
        "\"conversation_id\":\"c\"}",
        "{\"id\":\"e\",\"type\":\"conversation.closed\",\"at\":\"2026-11-02t09:15:00z\","
        "\"conversation_id\":\"c\"}",
        NULL},
    {   /* the default handler written out or not */
        "{" STARTED ",\"channel\":\"chat\"}",
        "{" STARTED ",\"channel\":\"chat\",\"handler\":\"agent\"}",
        "{" STARTED ",\"channel\":\"chat\",\"handler\":null}",
        NULL},
    {   /* unknown fields, nulls for absent optional fields, fields of other types */
        "{" HANDED_OFF ",\"reason\":\"policy\"}",
        "{" HANDED_OFF ",\"reason\":\"policy\",\"priority\":\"high\",\"meta\":{\"a\":[1,2]}}",
        "{" HANDED_OFF ",\"reason\":\"policy\",\"member_id\":null,\"ticket_id\":null}",
        "{" HANDED_OFF ",\"reason\":\"policy\",\"channel\":\"chat\",\"text\":\"x\","
        "\"rating\":\"helpful\"}",
        NULL},
    {   /* string escapes */
        "{" FEEDBACK ",\"rating\":\"helpful\",\"comment\":\"caf\xc3\xa9 a/b \xf0\x9f\x98\x80\"}",
        "{" FEEDBACK ",\"rating\":\"helpful\",\"comment\":\"caf\\u00e9 a\\/b \\ud83d\\ude00\"}",
        "{" FEEDBACK ",\"rating\":\"helpful\",\"comment\":\"caf\\u00E9 a\\/b \\uD83D\\uDE00\"}",
        NULL},
};

static void test_canonical_same(void **state)
{
    (void)state;
    for (size_t g = 0; g < sizeof same_groups / sizeof same_groups[0]; g++) {
        char *first = canonical(same_groups[g][0]);
        for (size_t i = 1; same_groups[g][i] != NULL; i++) {
            char *c = canonical(same_groups[g][i]);
            if (strcmp(first, c) != 0)
                fail_msg("group %zu line %zu:\n  %s\n  %s", g, i, first, c);
            free(c);
        }
        free(first);
    }
}

/* Each line differs from the first of its group in one known field; every
 * canonical form of a group must differ from every other. */
static const char *const differ_groups[][16] = {
    {
        "{" QUESTION ",\"text\":\"Hi\",\"answered\":true,\"answer_id\":\"a\",\"language\":\"en\","
        "\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{\"id\":\"ev-2\",\"type\":\"question.asked\",\"at\":\"2026-11-02T09:15:00Z\","
        "\"conversation_id\":\"conv-1\",\"text\":\"Hi\",\"answered\":true,\"answer_id\":\"a\","
        "\"language\":\"en\",\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{\"id\":\"ev-1\",\"type\":\"question.asked\",\"at\":\"2026-11-02T09:15:00.000001Z\","
        "\"conversation_id\":\"conv-1\",\"text\":\"Hi\",\"answered\":true,\"answer_id\":\"a\","
        "\"language\":\"en\",\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{\"id\":\"ev-1\",\"type\":\"question.asked\",\"at\":\"2026-11-02T09:15:00+01:00\","
        "\"conversation_id\":\"conv-1\",\"text\":\"Hi\",\"answered\":true,\"answer_id\":\"a\","
        "\"language\":\"en\",\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{\"id\":\"ev-1\",\"type\":\"question.asked\",\"at\":\"2026-11-02T09:15:00Z\","
        "\"conversation_id\":\"conv-2\",\"text\":\"Hi\",\"answered\":true,\"answer_id\":\"a\","
        "\"language\":\"en\",\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{" QUESTION ",\"text\":\"Hi \",\"answered\":true,\"answer_id\":\"a\",\"language\":\"en\","
        "\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{" QUESTION ",\"text\":\"hi\",\"answered\":true,\"answer_id\":\"a\",\"language\":\"en\","
        "\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{" QUESTION ",\"text\":\"Hi\",\"answered\":false,\"answer_id\":\"a\",\"language\":\"en\","
        "\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{" QUESTION ",\"text\":\"Hi\",\"answered\":true,\"answer_id\":\"b\",\"language\":\"en\","
        "\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{" QUESTION ",\"text\":\"Hi\",\"answered\":true,\"language\":\"en\","
        "\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{" QUESTION ",\"text\":\"Hi\",\"answered\":true,\"answer_id\":\"a\",\"language\":\"nb\","
        "\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{" QUESTION ",\"text\":\"Hi\",\"answered\":true,\"answer_id\":\"a\","
        "\"embedding\":[1,2,3,4,5,6,7,8]}",
        "{" QUESTION ",\"text\":\"Hi\",\"answered\":true,\"answer_id\":\"a\",\"language\":\"en\","
        "\"embedding\":[1,2,3,4,5,6,7,8.000000000000002]}",
        "{" QUESTION ",\"text\":\"Hi\",\"answered\":true,\"answer_id\":\"a\",\"language\":\"en\","
        "\"embedding\":[1,2,3,4,5,6,7,8,9]}",
        "{" QUESTION ",\"text\":\"Hi\",\"answered\":true,\"answer_id\":\"a\",\"language\":\"en\"}",
        NULL},
    {
        "{" STARTED ",\"channel\":\"chat\"}",
        "{" STARTED ",\"channel\":\"email\"}",
        "{" STARTED ",\"channel\":\"chat\",\"handler\":\"human\"}",
        "{" ENV("conversation.closed") "}",
        NULL},
    {
        "{" HANDED_OFF ",\"member_id\":\"m\",\"member_name\":\"K\",\"ticket_id\":\"T\","
        "\"reason\":\"policy\"}",
        "{" HANDED_OFF ",\"member_id\":\"n\",\"member_name\":\"K\",\"ticket_id\":\"T\","
        "\"reason\":\"policy\"}",
        "{" HANDED_OFF ",\"member_name\":\"K\",\"ticket_id\":\"T\",\"reason\":\"policy\"}",
        "{" HANDED_OFF ",\"member_id\":\"m\",\"member_name\":\"L\",\"ticket_id\":\"T\","
        "\"reason\":\"policy\"}",
        "{" HANDED_OFF ",\"member_id\":\"m\",\"ticket_id\":\"T\",\"reason\":\"policy\"}",
        "{" HANDED_OFF ",\"member_id\":\"m\",\"member_name\":\"K\",\"ticket_id\":\"U\","
        "\"reason\":\"policy\"}",
        "{" HANDED_OFF ",\"member_id\":\"m\",\"member_name\":\"K\",\"reason\":\"policy\"}",
        "{" HANDED_OFF ",\"member_id\":\"m\",\"member_name\":\"K\",\"ticket_id\":\"T\","
        "\"reason\":\"customer_request\"}",
        "{" HANDED_OFF ",\"member_id\":\"m\",\"member_name\":\"K\",\"ticket_id\":\"T\"}",
        NULL},
    {
        "{" REPLIED ",\"member_id\":\"m\",\"text\":\"Done\"}",
        "{" REPLIED ",\"member_id\":\"m\",\"text\":\"Done.\"}",
        "{" REPLIED ",\"member_id\":\"n\",\"text\":\"Done\"}",
        NULL},
    {
        "{" RESOLVED ",\"by\":\"agent\"}",
        "{" RESOLVED ",\"by\":\"human\",\"member_id\":\"m\"}",
        "{" RESOLVED ",\"by\":\"agent\",\"member_id\":\"m\"}",
        NULL},
    {
        "{" TICKET_CLOSED ",\"ticket_id\":\"T\"}",
        "{" TICKET_CLOSED ",\"ticket_id\":\"t\"}",
        "{" TICKET_CLOSED ",\"ticket_id\":\"T\",\"member_id\":\"m\"}",
        NULL},
    {
        "{" FEEDBACK ",\"rating\":\"helpful\"}",
        "{" FEEDBACK ",\"rating\":\"not_helpful\"}",
        "{" FEEDBACK ",\"rating\":\"helpful\",\"comment\":\"\"}",
        "{" FEEDBACK ",\"rating\":\"helpful\",\"comment\":\"ok\"}",
        NULL},
};

static void test_canonical_differs(void **state)
{
    (void)state;
    for (size_t g = 0; g < sizeof differ_groups / sizeof differ_groups[0]; g++) {
        char *c[16] = {0};
        size_t n = 0;
        for (; differ_groups[g][n] != NULL; n++)
            c[n] = canonical(differ_groups[g][n]);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (strcmp(c[i], c[j]) == 0)
                    fail_msg("group %zu: lines %zu and %zu have the same canonical form %s", g,
                             j, i, c[i]);
        for (size_t i = 0; i < n; i++)
            free(c[i]);
    }
}

/* The canonical form is itself a valid event whose canonical form is itself. */
static void test_canonical_fixpoint(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_PARSE_CASES; i++) {
        if (parse_cases[i].status != AP_OK)
            continue;
        char *c = canonical(parse_cases[i].json);
        char *again = canonical(c);
        if (strcmp(c, again) != 0)
            fail_msg("%s: canonical form is not a fixpoint:\n  %s\n  %s", parse_cases[i].name, c,
                     again);
        free(again);
        free(c);
    }
}

static void test_peek_id(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        size_t out_size;
        const char *id;
    } cases[] = {
        {"{" CLOSED "}", 64, "ev-1"},
        {"{\"id\":\"ev-7\",\"type\":\"nope\"}", 64, "ev-7"},                /* rejected for type */
        {"{\"id\":\"ev-8\",\"at\":\"yesterday\"}", 64, "ev-8"},
        {"{\"id\":\"ev-\\u00e9\"}", 64, "ev-\xc3\xa9"},                    /* decoded */
        {"{\"id\":17}", 64, ""},                                            /* not a string */
        {"{\"type\":\"conversation.closed\"}", 64, ""},                     /* absent */
        {"{\"id\":\"a\\tb\"}", 64, ""},                                    /* control char */
        {"{\"id\":\"ev-1\",", 64, ""},                                      /* invalid JSON */
        {"{\"id\":\"ev-1\",\"x\":\"\xff\"}", 64, ""},                      /* invalid UTF-8 */
        {"[\"ev-1\"]", 64, ""},
        {"", 64, ""},
        {"{\"id\":\"abcdefghij\"}", 5, "abcd"},                              /* truncated */
        {"{\"id\":\"@X200@\"}", 129, "@X128@"},
        /* Truncation never splits a UTF-8 sequence: 4 bytes of room hold one "€". */
        {"{\"id\":\"\xe2\x82\xac\xe2\x82\xac\"}", 5, "\xe2\x82\xac"},
        {"{\"id\":\"a\xc3\xb8\xc3\xb8\"}", 5, "a\xc3\xb8"},
        {"{\"id\":\"@E200@\"}", 4 * AP_EVENT_ID_MAX_CHARS + 1, "@E170@"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *json = expand(cases[i].json);
        char *want = expand(cases[i].id);
        char out[4 * AP_EVENT_ID_MAX_CHARS + 1];
        memset(out, '#', sizeof out);
        ap_event_peek_id(json, strlen(json), out, cases[i].out_size);
        if (strcmp(out, want) != 0)
            fail_msg("case %zu: peeked \"%s\", expected \"%s\"", i, out, want);
        assert_true(ap_utf8_valid(out, strlen(out)));
        free(want);
        free(json);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),        cmocka_unit_test(test_missing_id_message),
        cmocka_unit_test(test_parse_respects_length), cmocka_unit_test(test_fields_question),
        cmocka_unit_test(test_fields_other_types), cmocka_unit_test(test_json_limits),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_canonical_exact),    cmocka_unit_test(test_canonical_same),
        cmocka_unit_test(test_canonical_differs),  cmocka_unit_test(test_canonical_fixpoint),
        cmocka_unit_test(test_peek_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
