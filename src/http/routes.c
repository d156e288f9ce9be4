/* The route table: every endpoint, who may call it, and whether it reads a
 * body. 404, 405 and Allow are derived from it by the server. */
#include "http/http.h"

#define READERS (AP_ROLE_BIT(AP_ROLE_VIEWER) | AP_ROLE_BIT(AP_ROLE_ADMIN))
#define ALL_ROLES (AP_ROLE_BIT(AP_ROLE_INGEST) | READERS)
#define INGESTERS (AP_ROLE_BIT(AP_ROLE_INGEST) | AP_ROLE_BIT(AP_ROLE_ADMIN))
#define ADMINS AP_ROLE_BIT(AP_ROLE_ADMIN)
#define EVERYONE (INGESTERS | READERS)

static const char *const event_media[] = {"application/x-ndjson", "application/json", NULL};
static const char *const json_media[] = {"application/json", NULL};

const struct ap_http_route ap_http_routes[] = {
    {"GET", "/healthz", ap_http_handle_health, 0, false, NULL},
    {"GET", "/metrics", ap_http_handle_metrics, 0, false, NULL},
    {"GET", "/v1/openapi.json", ap_http_handle_openapi, 0, false, NULL},
    {"GET", "/v1/me", ap_http_handle_me, ALL_ROLES, false, NULL},
    {"POST", "/v1/events", ap_http_handle_events, INGESTERS, true, event_media},
    {"GET", "/v1/reports", ap_http_handle_reports, READERS, false, NULL},
    {"GET", "/v1/reports/{name}", ap_http_handle_report, READERS, false, NULL},
    {"GET", "/v1/conversations", ap_http_handle_conversations, READERS, false, NULL},
    {"GET", "/v1/conversations/{id}", ap_http_handle_conversation, READERS, false, NULL},
    {"GET", "/v1/gaps", ap_http_handle_gaps, READERS, false, NULL},
    {"GET", "/v1/gaps/{id}", ap_http_handle_gap, READERS, false, NULL},
    {"POST", "/v1/gaps/{id}/rename", ap_http_handle_gap_rename, ADMINS, true, json_media},
    {"POST", "/v1/gaps/{id}/merge", ap_http_handle_gap_merge, ADMINS, true, json_media},
    {"GET", "/v1/gaps/{id}/questions", ap_http_handle_gap_questions, READERS, false, NULL},
    {"POST", "/v1/gaps/{id}/dismiss", ap_http_handle_gap_dismiss, ADMINS, false, NULL},
    {"POST", "/v1/gaps/{id}/dismiss-conversations", ap_http_handle_gap_dismiss_conversations,
     ADMINS, true, json_media},
    {"POST", "/v1/gaps/{id}/undismiss-questions", ap_http_handle_gap_undismiss_questions,
     ADMINS, true, json_media},
    {"POST", "/v1/gaps/{id}/undismiss", ap_http_handle_gap_undismiss, ADMINS, false, NULL},
    {"POST", "/v1/gaps/questions/{id}/move", ap_http_handle_question_move, ADMINS, true,
     json_media},
    {"POST", "/v1/gaps/questions/{id}/dismiss", ap_http_handle_question_dismiss, ADMINS, false,
     NULL},
    {"POST", "/v1/gaps/{id}/answer/preview", ap_http_handle_gap_answer_preview, ADMINS, true,
     json_media},
    {"POST", "/v1/gaps/{id}/answer", ap_http_handle_gap_answer, ADMINS, true, json_media},
    {"POST", "/v1/gaps/questions/{id}/undismiss", ap_http_handle_question_undismiss, ADMINS,
     false, NULL},
    /* Short answers: the literal path first, so that it wins over {id}. */
    {"POST", "/v1/answers/match", ap_http_handle_answers_match, EVERYONE, true, json_media},
    {"GET", "/v1/answers", ap_http_handle_answers_list, READERS, false, NULL},
    {"POST", "/v1/answers", ap_http_handle_answer_create, ADMINS, true, json_media},
    {"GET", "/v1/answers/{id}", ap_http_handle_answer_get, READERS, false, NULL},
    {"PATCH", "/v1/answers/{id}", ap_http_handle_answer_patch, ADMINS, true, json_media},
    {"DELETE", "/v1/answers/{id}", ap_http_handle_answer_delete, ADMINS, false, NULL},
    /* The dashboard (static.c): public files; its API calls carry the token. */
    {"GET", "/", ap_http_handle_index, 0, false, NULL},
    {"GET", "/assets/{file}", ap_http_handle_asset, 0, false, NULL},
};

const size_t ap_http_route_count = sizeof ap_http_routes / sizeof ap_http_routes[0];
