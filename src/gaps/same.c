/* Identical questions of a topic counted together: questions whose text is
 * the same after ap_text_identity (case, white space, punctuation at the end)
 * form one "same question" with a count. The topic list shows each topic's
 * top three (among its latest questions); the topic page lists them all, a
 * page at a time. The grouping is
 * done here, not in SQL, so that both backends agree on what "the same"
 * means (ICU's case folding has no equal in either database). */
#include <stdlib.h>
#include <string.h>

#include "gaps/gaps.h"

/* One question read, with its identity key. */
struct ap_gap_same_entry {
    char *key;
    char *text;
    double similarity;
    struct ap_gap_member m;
};

void ap_gap_same_init(struct ap_gap_same *s)
{
    memset(s, 0, sizeof *s);
}

static void member_free(struct ap_gap_member *m)
{
    free(m->event_id);
    free(m->conversation_id);
    free(m->channel);
}

void ap_gap_same_free(struct ap_gap_same *s)
{
    for (size_t i = 0; i < s->n_entries; i++) {
        free(s->entries[i].key);
        free(s->entries[i].text);
        member_free(&s->entries[i].m);
    }
    free(s->entries);
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i].members);
    free(s->items);
    ap_text_destroy(s->text);
    memset(s, 0, sizeof *s);
}

static char *dup_or_null(const char *s)
{
    return s ? ap_strdup(s) : NULL;
}

enum ap_status ap_gap_same_add(struct ap_gap_same *s, const struct ap_gap_question_rec *q,
                               struct ap_error *err)
{
    if (s->text == NULL) {
        enum ap_status rc = ap_text_new(&s->text, err);
        if (rc != AP_OK)
            return rc;
    }
    const char *text = q->text ? q->text : "";
    /* The cap only bounds the buffer: NFKC case folding can lengthen a
     * character many times over (U+FDFA is 18 characters). */
    struct ap_buf key;
    ap_buf_init(&key, strlen(text) * 18 + 64);
    if (ap_text_identity(s->text, text, strlen(text), &key, err) != AP_OK) {
        /* Stored questions are valid UTF-8; should ICU still refuse one, it
         * counts as itself rather than failing the page. */
        ap_buf_free(&key);
        ap_buf_init(&key, strlen(text) + 1);
        ap_buf_append_str(&key, text);
    }
    enum ap_status rc = ap_buf_append_char(&key, '\0');
    if (rc != AP_OK) {
        rc = ap_buf_check(&key, "text", err);
        ap_buf_free(&key);
        return rc;
    }
    if (s->n_entries == s->cap_entries) {
        s->cap_entries = s->cap_entries ? 2 * s->cap_entries : 64;
        s->entries = ap_realloc(s->entries, s->cap_entries * sizeof *s->entries);
    }
    struct ap_gap_same_entry *e = &s->entries[s->n_entries++];
    e->key = key.data; /* the buffer's bytes, NUL-terminated: the entry owns them */
    e->text = ap_strdup(text);
    e->similarity = q->similarity;
    e->m = (struct ap_gap_member){.id = q->id,
                                  .event_id = dup_or_null(q->event_id),
                                  .conversation_id = dup_or_null(q->conversation_id),
                                  .channel = dup_or_null(q->channel),
                                  .at_us = q->at_us,
                                  .dismissed = q->dismissed};
    return AP_OK;
}

/* By key, then newest first (the order a group lists its members in). */
static int by_key(const void *a, const void *b)
{
    const struct ap_gap_same_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    if (x->m.at_us != y->m.at_us)
        return x->m.at_us > y->m.at_us ? -1 : 1;
    return x->m.id > y->m.id ? -1 : x->m.id < y->m.id;
}

/* Most asked first, dismissed questions included (so that a row keeps its
 * place on the topic page when it is dismissed: the list's top questions
 * leave dismissed ones out before grouping); among equals the most central
 * (the one closest to its topic's centre, like the label), then the earliest
 * asked. */
static int by_rank(const void *a, const void *b)
{
    const struct ap_gap_same_question *x = a, *y = b;
    int64_t nx = x->count + x->dismissed, ny = y->count + y->dismissed;
    if (nx != ny)
        return nx > ny ? -1 : 1;
    if (x->similarity != y->similarity)
        return x->similarity > y->similarity ? -1 : 1;
    return x->first_id < y->first_id ? -1 : x->first_id > y->first_id;
}

/* Fills one same question from entries [from, to) of one key. */
static void make_group(struct ap_gap_same *s, size_t from, size_t to,
                       struct ap_gap_same_question *g)
{
    memset(g, 0, sizeof *g);
    g->members = ap_calloc(to - from, sizeof *g->members);
    g->first_id = INT64_MAX;
    size_t best = from;
    for (size_t i = from; i < to; i++) {
        const struct ap_gap_same_entry *e = &s->entries[i];
        g->members[g->n_members++] = &e->m;
        if (e->m.dismissed)
            g->dismissed++;
        else
            g->count++;
        if (e->m.id < g->first_id)
            g->first_id = e->m.id;
        const struct ap_gap_same_entry *b = &s->entries[best];
        if (e->similarity > b->similarity ||
            (e->similarity == b->similarity && e->m.id < b->m.id))
            best = i;
    }
    g->text = s->entries[best].text;
    g->similarity = s->entries[best].similarity;
}

void ap_gap_same_finish(struct ap_gap_same *s)
{
    if (s->n_entries > 0)
        qsort(s->entries, s->n_entries, sizeof *s->entries, by_key);
    s->items = ap_calloc(s->n_entries ? s->n_entries : 1, sizeof *s->items);
    for (size_t i = 0; i < s->n_entries;) {
        size_t j = i + 1;
        while (j < s->n_entries && strcmp(s->entries[j].key, s->entries[i].key) == 0)
            j++;
        make_group(s, i, j, &s->items[s->n++]);
        i = j;
    }
    if (s->n > 0)
        qsort(s->items, s->n, sizeof *s->items, by_rank);
}

/* --- reading a topic's questions -------------------------------------------------- */

struct reading {
    struct ap_gap_same *same;
    struct ap_error *err;
};

static enum ap_status add_question(void *ctx, const struct ap_gap_question_rec *q)
{
    struct reading *r = ctx;
    return ap_gap_same_add(r->same, q, r->err);
}

enum ap_status ap_gaps_same_questions(struct ap_store *store, int64_t account_id,
                                      int64_t topic_id, struct ap_gap_same *out,
                                      struct ap_error *err)
{
    struct reading r = {out, err};
    ap_gap_same_init(out);
    enum ap_status rc = ap_store_select_gap_topic_questions(store, account_id, topic_id,
                                                            INT64_MAX, 0, add_question, &r, err);
    if (rc == AP_OK)
        ap_gap_same_finish(out);
    return rc;
}

enum ap_status ap_gaps_same_latest(struct ap_store *store, int64_t account_id, int64_t topic_id,
                                   const struct ap_gap_topic_query *q, int64_t limit,
                                   struct ap_gap_same *out, struct ap_error *err)
{
    struct reading r = {out, err};
    ap_gap_same_init(out);
    enum ap_status rc = ap_store_select_gap_topic_latest(store, account_id, topic_id, q, limit,
                                                         add_question, &r, err);
    if (rc == AP_OK)
        ap_gap_same_finish(out);
    return rc;
}
