/* Recording unanswered questions in the ingest transaction. Assignment to a
 * topic comes right after the commit (assign.c), so ingest never waits for
 * the grouping model and a failed batch leaves no trace in it. */
#include "gaps/gaps.h"

static enum ap_status record_event(struct ap_store *store, int64_t account_id,
                                   const struct ap_event *e, struct ap_error *err)
{
    if (e->type == AP_EV_STARTED)
        return ap_store_update_gap_channels(store, account_id, e->conversation_id, err);
    if (e->type != AP_EV_QUESTION || e->answered)
        return AP_OK;
    struct ap_gap_question_rec q = {
        .event_id = e->id,
        .conversation_id = e->conversation_id,
        .at_us = e->at_us,
        .text = e->text,
        .language = e->language,
        .embedding = e->embedding,
        .embedding_len = e->embedding_len,
    };
    return ap_store_record_gap_question(store, account_id, &q, err);
}

enum ap_status ap_gaps_record(struct ap_store *store, int64_t account_id,
                              const struct ap_event *events, const enum ap_verdict *verdicts,
                              size_t n, struct ap_error *err)
{
    enum ap_status rc = AP_OK;
    for (size_t i = 0; i < n && rc == AP_OK; i++)
        if (verdicts[i] == AP_VERDICT_STORED)
            rc = record_event(store, account_id, &events[i], err);
    return rc;
}
