/* Keeping report aggregates current: a conversation touched by new events is
 * derived again from all its stored events; its old contribution is retracted
 * and the new one added, so every figure stays a function of the event set. */
#include <stdlib.h>
#include <string.h>

#include "reports/cells.h"
#include "reports/derive.h"
#include "reports/reports.h"
#include "tz/tz.h"

/* A growable list of owned strings. */
struct string_list {
    char **items;
    size_t n, cap;
};

static void list_add(struct string_list *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->items = ap_realloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->n++] = ap_strdup(s);
}

static void list_free(struct string_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_sort_unique(struct string_list *l)
{
    if (l->n == 0)
        return;
    qsort(l->items, l->n, sizeof *l->items, compare_strings);
    size_t out = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (strcmp(l->items[i], l->items[out - 1]) == 0)
            free(l->items[i]);
        else
            l->items[out++] = l->items[i];
    }
    l->n = out;
}

/* Events' facts read back from the store, with owned copies of their strings. */
struct event_list {
    struct ap_event *items;
    size_t n, cap;
};

static const char *copy_or_null(const char *s)
{
    return s ? ap_strdup(s) : NULL;
}

static void events_free(struct event_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct ap_event *e = &l->items[i];
        const char *owned[] = {e->id,        e->conversation_id, e->channel, e->reason,
                               e->member_id, e->ticket_id,       e->language};
        for (size_t k = 0; k < sizeof owned / sizeof owned[0]; k++)
            free((char *)owned[k]);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

static enum ap_status collect_event(void *ctx, const struct ap_event *e)
{
    struct event_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->items = ap_realloc(l->items, l->cap * sizeof *l->items);
    }
    struct ap_event *copy = &l->items[l->n++];
    *copy = *e;
    copy->id = copy_or_null(e->id);
    copy->conversation_id = copy_or_null(e->conversation_id);
    copy->channel = copy_or_null(e->channel);
    copy->reason = copy_or_null(e->reason);
    copy->member_id = copy_or_null(e->member_id);
    copy->ticket_id = copy_or_null(e->ticket_id);
    copy->language = copy_or_null(e->language);
    return AP_OK;
}

/* Conversations whose handoffs named a ticket. */
static enum ap_status collect_handoff_conversation(void *ctx, const struct ap_event *e)
{
    if (e->type == AP_EV_HANDED_OFF)
        list_add(ctx, e->conversation_id);
    return AP_OK;
}

struct maintenance {
    struct ap_store *store;
    const struct ap_account *account;
    struct ap_tz *tz;
    struct ap_cell_map cells;
    struct ap_buf blob;
};

static enum ap_status load_ticket_closes(struct maintenance *m, const struct ap_event *const *own,
                                         size_t n_own, struct event_list *closes,
                                         struct ap_error *err)
{
    for (size_t i = 0; i < n_own; i++) {
        const struct ap_event *e = own[i];
        if (e->type != AP_EV_HANDED_OFF || e->ticket_id == NULL)
            continue;
        enum ap_status rc = ap_store_select_ticket_events(m->store, m->account->id, e->ticket_id,
                                                          collect_event, closes, err);
        if (rc != AP_OK)
            return rc;
    }
    return AP_OK;
}

/* Derives one conversation again and moves its contribution in m->cells.
 * `fresh` holds the conversation's events stored by this batch: when it had no
 * state before, those are all its events and the store is not read again. */
static enum ap_status refresh_conversation(struct maintenance *m, const char *conversation_id,
                                           const struct ap_event *const *fresh, size_t n_fresh,
                                           struct ap_error *err)
{
    struct event_list own = {0}, closes = {0};
    struct ap_conv_state old_state, new_state;
    const struct ap_event **own_ptrs = NULL, **close_ptrs = NULL;
    size_t n_own;
    enum ap_status rc;

    ap_buf_reset(&m->blob);
    rc = ap_store_get_conversation(m->store, m->account->id, conversation_id, &m->blob, err);
    bool existed = rc == AP_OK;
    if (rc != AP_OK && rc != AP_NOT_FOUND)
        return rc;
    if (existed && !ap_conv_state_decode(m->blob.data, m->blob.len, &old_state))
        return ap_error_set(err, AP_STORAGE, "", "stored state of conversation %s is corrupt",
                            conversation_id);

    if (existed || n_fresh == 0) {
        rc = ap_store_select_conversation_events(m->store, m->account->id, conversation_id,
                                                 collect_event, &own, err);
        if (rc != AP_OK)
            goto out;
        n_own = own.n;
        own_ptrs = ap_calloc(n_own, sizeof *own_ptrs);
        for (size_t i = 0; i < n_own; i++)
            own_ptrs[i] = &own.items[i];
    } else {
        n_own = n_fresh;
        own_ptrs = ap_calloc(n_own, sizeof *own_ptrs);
        memcpy(own_ptrs, fresh, n_own * sizeof *own_ptrs);
    }
    if ((rc = load_ticket_closes(m, own_ptrs, n_own, &closes, err)) != AP_OK)
        goto out;
    close_ptrs = ap_calloc(closes.n, sizeof *close_ptrs);
    for (size_t i = 0; i < closes.n; i++)
        close_ptrs[i] = &closes.items[i];
    ap_derive_conversation(conversation_id, own_ptrs, n_own, close_ptrs, closes.n,
                           m->account->inactivity_hours, &new_state);

    if (existed && old_state.started)
        ap_cells_add_conversation(&m->cells, &old_state,
                                  ap_tz_local_day(m->tz, old_state.started_at_us), -1);
    if (new_state.started)
        ap_cells_add_conversation(&m->cells, &new_state,
                                  ap_tz_local_day(m->tz, new_state.started_at_us), +1);

    ap_buf_reset(&m->blob);
    if (ap_conv_state_encode(&new_state, &m->blob) != AP_OK) {
        rc = ap_buf_check(&m->blob, "a conversation's state", err);
        goto out;
    }
    rc = ap_store_put_conversation(m->store, m->account->id, conversation_id, m->blob.data,
                                   m->blob.len, new_state.time_dependent ? new_state.quiet_at_us : -1,
                                   new_state.started ? new_state.started_at_us : AP_NOT_STARTED, err);
out:
    free(own_ptrs);
    free(close_ptrs);
    events_free(&own);
    events_free(&closes);
    return rc;
}

static int compare_by_conversation(const void *a, const void *b)
{
    return strcmp((*(const struct ap_event *const *)a)->conversation_id,
                  (*(const struct ap_event *const *)b)->conversation_id);
}

/* Refreshes every conversation in ids. `fresh` (sorted by conversation id)
 * holds the events the batch stored; both lists are walked in step. */
static enum ap_status refresh_all(struct maintenance *m, struct string_list *ids,
                                  const struct ap_event **fresh, size_t n_fresh,
                                  struct ap_error *err)
{
    size_t f = 0;
    list_sort_unique(ids);
    for (size_t i = 0; i < ids->n; i++) {
        while (f < n_fresh && strcmp(fresh[f]->conversation_id, ids->items[i]) < 0)
            f++;
        size_t end = f;
        while (end < n_fresh && strcmp(fresh[end]->conversation_id, ids->items[i]) == 0)
            end++;
        enum ap_status rc =
            refresh_conversation(m, ids->items[i], n_fresh ? fresh + f : NULL, end - f, err);
        if (rc != AP_OK)
            return rc;
        f = end;
    }
    return ap_store_add_cells(m->store, m->account->id, m->cells.cells, m->cells.n, err);
}

/* Past any stored state: a few numbers, a channel, a reason and member ids,
 * each bounded by the event rules, take well under 4 KiB. */
#define STATE_BLOB_MAX ((size_t)64 << 10)

static enum ap_status maintenance_init(struct maintenance *m, struct ap_store *store,
                                       const struct ap_account *account, struct ap_error *err)
{
    memset(m, 0, sizeof *m);
    m->store = store;
    m->account = account;
    ap_cell_map_init(&m->cells);
    ap_buf_init(&m->blob, STATE_BLOB_MAX);
    return ap_tz_open(account->time_zone, &m->tz, err);
}

static void maintenance_free(struct maintenance *m)
{
    ap_cell_map_free(&m->cells);
    ap_buf_free(&m->blob);
    ap_tz_close(m->tz);
}

static enum ap_status collect_conversation_id(void *ctx, const char *id, const void *blob,
                                              size_t len)
{
    (void)blob;
    (void)len;
    list_add(ctx, id);
    return AP_OK;
}

enum ap_status ap_reports_rebuild(struct ap_store *store, const struct ap_account *account,
                                  struct ap_error *err)
{
    struct maintenance m;
    struct string_list ids = {0};
    enum ap_status rc = maintenance_init(&m, store, account, err);
    if (rc == AP_OK)
        rc = ap_store_delete_report_data(store, account->id, err);
    if (rc == AP_OK)
        rc = ap_store_select_event_conversations(store, account->id, collect_conversation_id,
                                                 &ids, err);
    if (rc == AP_OK)
        rc = refresh_all(&m, &ids, NULL, 0, err);
    if (rc == AP_OK)
        rc = ap_store_set_reports_stale(store, account->id, false, err);
    list_free(&ids);
    maintenance_free(&m);
    return rc;
}

/* Records the member's display name; the store keeps the latest by (at, id). */
static enum ap_status note_member_name(struct ap_store *store, int64_t account_id,
                                       const struct ap_event *e, struct ap_error *err)
{
    if (e->member_id == NULL || e->member_name == NULL)
        return AP_OK;
    return ap_store_put_member_name(store, account_id, e->member_id, e->member_name, e->at_us,
                                    e->id, err);
}

enum ap_status ap_reports_apply(struct ap_store *store, const struct ap_account *account,
                                const struct ap_event *events, const enum ap_verdict *verdicts,
                                size_t n, struct ap_error *err)
{
    enum ap_status rc = AP_OK;
    for (size_t i = 0; i < n && rc == AP_OK; i++)
        if (verdicts[i] == AP_VERDICT_STORED)
            rc = note_member_name(store, account->id, &events[i], err);
    if (rc != AP_OK)
        return rc;
    if (account->reports_stale)
        return ap_reports_rebuild(store, account, err);

    struct maintenance m;
    struct string_list ids = {0};
    const struct ap_event **fresh = ap_calloc(n, sizeof *fresh);
    size_t n_fresh = 0;
    rc = maintenance_init(&m, store, account, err);
    for (size_t i = 0; i < n && rc == AP_OK; i++) {
        const struct ap_event *e = &events[i];
        if (verdicts[i] != AP_VERDICT_STORED)
            continue;
        fresh[n_fresh++] = e;
        list_add(&ids, e->conversation_id);
        /* A ticket close also belongs to the conversations whose handoffs named its ticket. */
        if (e->type == AP_EV_TICKET_CLOSED)
            rc = ap_store_select_ticket_events(store, account->id, e->ticket_id,
                                               collect_handoff_conversation, &ids, err);
    }
    qsort(fresh, n_fresh, sizeof *fresh, compare_by_conversation);
    if (rc == AP_OK)
        rc = refresh_all(&m, &ids, fresh, n_fresh, err);
    free(fresh);
    list_free(&ids);
    maintenance_free(&m);
    return rc;
}

static enum ap_status rebuild_txn(struct ap_store *store, void *ctx, struct ap_error *err)
{
    struct ap_account *account = ctx;
    enum ap_status rc = ap_store_get_account(store, account->id, account, err);
    if (rc != AP_OK || !account->reports_stale)
        return rc;
    return ap_reports_rebuild(store, account, err);
}

enum ap_status ap_reports_ensure_fresh(struct ap_store *store, struct ap_account *account,
                                       struct ap_error *err)
{
    if (!account->reports_stale)
        return AP_OK;
    enum ap_status rc = ap_store_transact(store, rebuild_txn, account, err);
    if (rc == AP_OK)
        account->reports_stale = false;
    return rc;
}
