/* Tests of src/store through its public interface: migrations, accounts,
 * tokens, events (stored / duplicate / conflict), NDJSON ingestion and short
 * answers. The suite bodies take a store URL so that the same suite runs
 * against every backend (Taler's test_exchangedb.c); main picks the backends
 * of this build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "ingest/ingest.h"
#include "store/store.h"

/* ---- backends ------------------------------------------------------------ */

/* How the suite gets a fresh, empty store of one backend and disposes of it. */
struct backend {
    const char *name;
    char *(*new_url)(void);
    void (*drop)(const char *url);
};

static char *sqlite_new_url(void)
{
    static unsigned counter;
    const char *dir = getenv("AP_TEST_TMP");
    char *url = ap_malloc(4096);
    snprintf(url, 4096, "sqlite:%s/store-%ld-%u.db", dir && *dir ? dir : "/tmp",
             (long)getpid(), counter++);
    return url;
}

static void sqlite_drop(const char *url)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    const char *path = url + strlen("sqlite:");
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static const struct backend sqlite_backend = {"sqlite", sqlite_new_url, sqlite_drop};

/* PostgreSQL: a fresh database per test on the server AP_TEST_PG names (a base
 * URL without a database, from scripts/pg-test-server.sh). */
static void pg_admin(const char *sql)
{
    char url[1024];
    snprintf(url, sizeof url, "%s/postgres", getenv("AP_TEST_PG"));
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", url, PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static char *pg_new_url(void)
{
    static unsigned counter;
    char name[64], sql[128];
    snprintf(name, sizeof name, "store_%ld_%u", (long)getpid(), counter++);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    pg_admin(sql);
    char *url = ap_malloc(1024);
    snprintf(url, 1024, "%s/%s", getenv("AP_TEST_PG"), name);
    return url;
}

static void pg_drop(const char *url)
{
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", strrchr(url, '/') + 1);
    pg_admin(sql);
}

static const struct backend pg_backend = {"postgres", pg_new_url, pg_drop};

struct fixture {
    const struct backend *backend;
    char *url;
};

/* The prestate is the backend; each test gets a store URL of its own. */
static int setup(void **state)
{
    struct fixture *f = ap_calloc(1, sizeof *f);
    f->backend = *state;
    f->url = f->backend->new_url();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    f->backend->drop(f->url);
    free(f->url);
    free(f);
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

/* Fails the test unless `call` returns AP_OK; the call reports into the
 * caller's `struct ap_error err`. */
#define CHECK(call)                                                                   \
    do {                                                                              \
        enum ap_status check_rc_ = (call);                                            \
        if (check_rc_ != AP_OK)                                                       \
            fail_msg("%s: %s (%s)", #call, ap_status_code(check_rc_), err.message);   \
    } while (0)

static struct ap_store *open_store(const char *url)
{
    struct ap_store *s = NULL;
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_store_open(url, &s, &err) != AP_OK)
        fail_msg("cannot open %s: %s", url, err.message);
    assert_non_null(s);
    return s;
}

static int64_t add_account(struct ap_store *s, const char *name)
{
    struct ap_account a;
    struct ap_error err;
    ap_account_init(&a, name);
    a.created_at_us = ap_time_now_us();
    if (ap_store_insert_account(s, &a, &err) != AP_OK)
        fail_msg("insert account %s: %s", name, err.message);
    assert_true(a.id > 0);
    return a.id;
}

static int64_t count_events(struct ap_store *s, int64_t account_id)
{
    int64_t n = -1;
    struct ap_error err;
    if (ap_store_count_events(s, account_id, &n, &err) != AP_OK)
        fail_msg("count_events: %s", err.message);
    return n;
}

/* The stored canonical form of an event, or NULL when there is none. */
static char *stored_event(struct ap_store *s, int64_t account_id, const char *id)
{
    struct ap_buf b;
    struct ap_error err;
    ap_buf_init(&b, 1u << 20);
    enum ap_status rc = ap_store_get_event(s, account_id, id, &b, &err);
    if (rc == AP_NOT_FOUND) {
        ap_buf_free(&b);
        return NULL;
    }
    if (rc != AP_OK)
        fail_msg("get_event %s: %s", id, err.message);
    ap_buf_append_char(&b, '\0');
    return ap_buf_steal(&b, NULL);
}

static void parse(const char *json, struct ap_event *ev)
{
    struct ap_error err;
    if (ap_event_parse(json, strlen(json), ev, &err) != AP_OK)
        fail_msg("rejected %s: %s", json, err.message);
}

/* ---- migrations ---------------------------------------------------------- */

static void suite_migrations(const char *url)
{
    struct ap_error err;
    int version = -1, again = -1;
    struct ap_store *s = open_store(url);
    CHECK(ap_store_ping(s, &err));
    CHECK(ap_store_schema_version(s, &version, &err));
    assert_true(version >= 1);
    int64_t id = add_account(s, "kept");
    struct ap_event ev;
    enum ap_verdict verdict;
    parse("{\"id\":\"e\",\"type\":\"conversation.closed\",\"at\":\"2026-11-02T09:15:00Z\","
          "\"conversation_id\":\"c\"}", &ev);
    CHECK(ap_ingest_events(s, id, &ev, 1, &verdict, &err));
    assert_int_equal(verdict, AP_VERDICT_STORED);
    ap_store_destroy(s);

    /* Opening again runs no migration twice and keeps the data. */
    s = open_store(url);
    CHECK(ap_store_schema_version(s, &again, &err));
    assert_int_equal(again, version);
    struct ap_account a;
    CHECK(ap_store_get_account_by_name(s, "kept", &a, &err));
    assert_int_equal(a.id, id);
    assert_int_equal(count_events(s, id), 1);
    char *body = stored_event(s, id, "e");
    assert_non_null(body);
    assert_string_equal(body, ev.canonical);
    free(body);
    CHECK(ap_ingest_events(s, id, &ev, 1, &verdict, &err));
    assert_int_equal(verdict, AP_VERDICT_DUPLICATE);

    /* A second connection to the same store sees the same. */
    struct ap_store *s2 = open_store(url);
    CHECK(ap_store_schema_version(s2, &again, &err));
    assert_int_equal(again, version);
    assert_int_equal(count_events(s2, id), 1);
    ap_store_destroy(s2);
    ap_store_destroy(s);
    ap_event_free(&ev);
}

/* ---- accounts ------------------------------------------------------------ */

struct names {
    char list[8][AP_ACCOUNT_NAME_MAX + 1];
    size_t n;
    enum ap_status stop_with;
};

static enum ap_status collect_account(void *ctx, const struct ap_account *a)
{
    struct names *names = ctx;
    if (names->n < 8)
        ap_copy_str(names->list[names->n], sizeof names->list[0], a->name);
    names->n++;
    return names->stop_with;
}

static void suite_accounts(const char *url)
{
    struct ap_store *s = open_store(url);
    struct ap_error err;
    struct ap_account a, got;

    ap_account_init(&a, "acme");
    a.created_at_us = INT64_C(1793610900123456);
    CHECK(ap_store_insert_account(s, &a, &err));
    assert_true(a.id > 0);
    CHECK(ap_store_get_account(s, a.id, &got, &err));
    assert_int_equal(got.id, a.id);
    assert_string_equal(got.name, "acme");
    assert_string_equal(got.time_zone, "UTC");
    assert_int_equal(got.inactivity_hours, AP_INACTIVITY_HOURS_DEFAULT);
    assert_string_equal(got.conversation_url, "");
    assert_string_equal(got.ticket_url, "");
    assert_string_equal(got.default_language, AP_DEFAULT_LANGUAGE);
    assert_int_equal(got.created_at_us, a.created_at_us);
    assert_false(got.reports_stale);

    /* A taken name. */
    struct ap_account dup;
    ap_account_init(&dup, "acme");
    dup.created_at_us = 1;
    assert_int_equal(ap_store_insert_account(s, &dup, &err), AP_EXISTS);
    assert_int_equal(err.status, AP_EXISTS);
    assert_string_equal(err.field, "name");

    struct ap_account beta;
    ap_account_init(&beta, "beta");
    CHECK(ap_store_insert_account(s, &beta, &err));
    assert_true(beta.id != a.id);
    CHECK(ap_store_get_account_by_name(s, "beta", &got, &err));
    assert_int_equal(got.id, beta.id);
    CHECK(ap_store_get_account_by_name(s, "acme", &got, &err));
    assert_int_equal(got.id, a.id);
    assert_int_equal(ap_store_get_account_by_name(s, "gamma", &got, &err), AP_NOT_FOUND);
    assert_int_equal(ap_store_get_account(s, a.id + beta.id + 100, &got, &err), AP_NOT_FOUND);

    /* Updates: every setting but the name; a new zone marks the reports stale. */
    ap_copy_str(a.time_zone, sizeof a.time_zone, "Europe/Oslo");
    a.inactivity_hours = 24;
    ap_copy_str(a.conversation_url, sizeof a.conversation_url,
                "https://help.example.com/inbox/{conversation_id}");
    ap_copy_str(a.ticket_url, sizeof a.ticket_url, "https://help.example.com/t/{ticket_id}");
    ap_copy_str(a.default_language, sizeof a.default_language, "nb");
    CHECK(ap_store_update_account(s, &a, &err));
    CHECK(ap_store_get_account(s, a.id, &got, &err));
    assert_string_equal(got.name, "acme");
    assert_string_equal(got.time_zone, "Europe/Oslo");
    assert_int_equal(got.inactivity_hours, 24);
    assert_string_equal(got.conversation_url, "https://help.example.com/inbox/{conversation_id}");
    assert_string_equal(got.ticket_url, "https://help.example.com/t/{ticket_id}");
    assert_string_equal(got.default_language, "nb");
    assert_true(got.reports_stale);

    /* URLs alone do not change any figure. */
    ap_copy_str(beta.ticket_url, sizeof beta.ticket_url, "https://t.example/{ticket_id}");
    CHECK(ap_store_update_account(s, &beta, &err));
    CHECK(ap_store_get_account(s, beta.id, &got, &err));
    assert_string_equal(got.ticket_url, "https://t.example/{ticket_id}");
    assert_false(got.reports_stale);

    struct ap_account ghost = a;
    ghost.id = a.id + beta.id + 100;
    assert_int_equal(ap_store_update_account(s, &ghost, &err), AP_NOT_FOUND);

    /* select_accounts: all of them, by name; a callback's error stops it. */
    struct ap_account aardvark;
    ap_account_init(&aardvark, "aardvark");
    CHECK(ap_store_insert_account(s, &aardvark, &err));
    struct names names = {.stop_with = AP_OK};
    CHECK(ap_store_select_accounts(s, collect_account, &names, &err));
    assert_int_equal(names.n, 3);
    assert_string_equal(names.list[0], "aardvark");
    assert_string_equal(names.list[1], "acme");
    assert_string_equal(names.list[2], "beta");
    struct names stop = {.stop_with = AP_CONFLICT};
    assert_int_equal(ap_store_select_accounts(s, collect_account, &stop, &err), AP_CONFLICT);
    assert_int_equal(stop.n, 1);
    /* The statement was reset: selecting again works. */
    names.n = 0;
    CHECK(ap_store_select_accounts(s, collect_account, &names, &err));
    assert_int_equal(names.n, 3);
    ap_store_destroy(s);
}

/* ---- tokens -------------------------------------------------------------- */

static struct ap_token make_token(int64_t account_id, enum ap_role role, const char *secret,
                                  const char *label, int64_t created)
{
    struct ap_token t;
    memset(&t, 0, sizeof t);
    t.account_id = account_id;
    t.role = role;
    ap_token_hash(secret, strlen(secret), t.hash);
    ap_copy_str(t.label, sizeof t.label, label);
    t.created_at_us = created;
    return t;
}

struct token_ids {
    int64_t ids[8];
    int64_t account_id;
    size_t n;
};

static enum ap_status collect_token(void *ctx, const struct ap_token *t)
{
    struct token_ids *ids = ctx;
    assert_int_equal(t->account_id, ids->account_id);
    if (ids->n < 8)
        ids->ids[ids->n] = t->id;
    ids->n++;
    return AP_OK;
}

static void suite_tokens(const char *url)
{
    struct ap_store *s = open_store(url);
    struct ap_error err;
    int64_t a = add_account(s, "alpha"), b = add_account(s, "bravo");

    struct ap_token a1 = make_token(a, AP_ROLE_INGEST, "ap_alpha_1", "ci", 1000);
    struct ap_token a2 = make_token(a, AP_ROLE_ADMIN, "ap_alpha_2", "laptop", 2000);
    struct ap_token b1 = make_token(b, AP_ROLE_VIEWER, "ap_bravo_1", "", 3000);
    struct ap_token b2 = make_token(b, AP_ROLE_VIEWER, "ap_bravo_2", "", 3001);
    struct ap_token b3 = make_token(b, AP_ROLE_INGEST, "ap_bravo_3", "agent", 3002);
    CHECK(ap_store_insert_token(s, &a1, &err));
    CHECK(ap_store_insert_token(s, &b1, &err));
    CHECK(ap_store_insert_token(s, &a2, &err));
    CHECK(ap_store_insert_token(s, &b2, &err));
    CHECK(ap_store_insert_token(s, &b3, &err));
    /* Token ids count per account. */
    assert_int_equal(a1.id, 1);
    assert_int_equal(a2.id, 2);
    assert_int_equal(b1.id, 1);
    assert_int_equal(b2.id, 2);
    assert_int_equal(b3.id, 3);

    struct ap_token got;
    CHECK(ap_store_get_token_by_hash(s, a2.hash, &got, &err));
    assert_int_equal(got.account_id, a);
    assert_int_equal(got.id, 2);
    assert_int_equal(got.role, AP_ROLE_ADMIN);
    assert_memory_equal(got.hash, a2.hash, AP_TOKEN_HASH_SIZE);
    assert_string_equal(got.label, "laptop");
    assert_int_equal(got.created_at_us, 2000);
    assert_int_equal(got.revoked_at_us, 0);
    CHECK(ap_store_get_token_by_hash(s, b3.hash, &got, &err));
    assert_int_equal(got.account_id, b);
    assert_int_equal(got.id, 3);
    assert_int_equal(got.role, AP_ROLE_INGEST);

    uint8_t unknown[AP_TOKEN_HASH_SIZE];
    ap_token_hash("ap_unknown", 10, unknown);
    assert_int_equal(ap_store_get_token_by_hash(s, unknown, &got, &err), AP_NOT_FOUND);

    /* The same hash twice is refused. */
    struct ap_token again = make_token(b, AP_ROLE_ADMIN, "ap_alpha_1", "copy", 4000);
    assert_int_not_equal(ap_store_insert_token(s, &again, &err), AP_OK);

    struct token_ids ids = {.account_id = a};
    CHECK(ap_store_select_tokens(s, a, collect_token, &ids, &err));
    assert_int_equal(ids.n, 2);
    assert_int_equal(ids.ids[0], 1);
    assert_int_equal(ids.ids[1], 2);
    ids = (struct token_ids){.account_id = b};
    CHECK(ap_store_select_tokens(s, b, collect_token, &ids, &err));
    assert_int_equal(ids.n, 3);
    assert_int_equal(ids.ids[2], 3);
    ids = (struct token_ids){.account_id = a + b + 100};
    CHECK(ap_store_select_tokens(s, a + b + 100, collect_token, &ids, &err));
    assert_int_equal(ids.n, 0);

    /* Revoking sets revoked_at_us once; a later revoke keeps the first time. */
    CHECK(ap_store_revoke_token(s, a, 1, 5000, &err));
    CHECK(ap_store_get_token_by_hash(s, a1.hash, &got, &err));
    assert_int_equal(got.revoked_at_us, 5000);
    CHECK(ap_store_revoke_token(s, a, 1, 6000, &err));
    CHECK(ap_store_get_token_by_hash(s, a1.hash, &got, &err));
    assert_int_equal(got.revoked_at_us, 5000);
    /* Revoking touched no other token, in either account. */
    CHECK(ap_store_get_token_by_hash(s, a2.hash, &got, &err));
    assert_int_equal(got.revoked_at_us, 0);
    CHECK(ap_store_get_token_by_hash(s, b1.hash, &got, &err));
    assert_int_equal(got.revoked_at_us, 0);

    /* Account a has no token 3; b's token 3 must stay valid. */
    assert_int_equal(ap_store_revoke_token(s, a, 3, 7000, &err), AP_NOT_FOUND);
    CHECK(ap_store_get_token_by_hash(s, b3.hash, &got, &err));
    assert_int_equal(got.revoked_at_us, 0);
    assert_int_equal(ap_store_revoke_token(s, a, 99, 7000, &err), AP_NOT_FOUND);
    assert_int_equal(ap_store_revoke_token(s, a + b + 100, 1, 7000, &err), AP_NOT_FOUND);

    /* Revoked tokens are still listed. */
    ids = (struct token_ids){.account_id = a};
    CHECK(ap_store_select_tokens(s, a, collect_token, &ids, &err));
    assert_int_equal(ids.n, 2);
    ap_store_destroy(s);
}

/* ---- events -------------------------------------------------------------- */

#define Q1 "{\"id\":\"q-1\",\"type\":\"question.asked\",\"at\":\"2026-11-02T09:15:00Z\"," \
           "\"conversation_id\":\"c-1\",\"text\":\"Where is my parcel?\",\"answered\":false," \
           "\"embedding\":[1,2,3,4,5,6,7,8]}"
/* Q1 again: other key order, white space, number notation, offset, an extra field. */
#define Q1_SAME "{ \"answered\" : false, \"text\":\"Where is my parcel?\", \"x\": [1]," \
                "\"embedding\":[1.0,2e0,3,4,5,6,7,8.00],\"conversation_id\":\"c-1\","   \
                "\"at\":\"2026-11-02T10:15:00+01:00\",\"type\":\"question.asked\",\"id\":\"q-1\"}"
#define Q1_OTHER "{\"id\":\"q-1\",\"type\":\"question.asked\",\"at\":\"2026-11-02T09:15:00Z\"," \
                 "\"conversation_id\":\"c-1\",\"text\":\"Where is my parcel?\",\"answered\":true," \
                 "\"embedding\":[1,2,3,4,5,6,7,8]}"

static enum ap_verdict ingest_one(struct ap_store *s, int64_t account_id, const char *json)
{
    struct ap_event ev;
    struct ap_error err;
    enum ap_verdict v = AP_VERDICT_REJECTED;
    parse(json, &ev);
    CHECK(ap_ingest_events(s, account_id, &ev, 1, &v, &err));
    ap_event_free(&ev);
    return v;
}

static char *canonical_of(const char *json)
{
    struct ap_event ev;
    parse(json, &ev);
    char *c = ap_strdup(ev.canonical);
    ap_event_free(&ev);
    return c;
}

static enum ap_status count_fact(void *ctx, const struct ap_event *ev)
{
    size_t *n = ctx;
    (*n)++;
    /* The facts are those of the first, stored event. */
    if (strcmp(ev->id, "q-1") == 0)
        assert_false(ev->answered);
    return AP_OK;
}

static void suite_events(const char *url)
{
    struct ap_store *s = open_store(url);
    struct ap_error err;
    int64_t a = add_account(s, "alpha"), b = add_account(s, "bravo");
    char *q1 = canonical_of(Q1), *q1_other = canonical_of(Q1_OTHER);

    assert_int_equal(count_events(s, a), 0);
    assert_null(stored_event(s, a, "q-1"));
    assert_int_equal(ingest_one(s, a, Q1), AP_VERDICT_STORED);
    assert_int_equal(count_events(s, a), 1);
    char *body = stored_event(s, a, "q-1");
    assert_string_equal(body, q1);
    free(body);

    /* Same content, written differently: acknowledged, nothing changes. */
    assert_int_equal(ingest_one(s, a, Q1_SAME), AP_VERDICT_DUPLICATE);
    assert_int_equal(ingest_one(s, a, Q1), AP_VERDICT_DUPLICATE);
    assert_int_equal(count_events(s, a), 1);

    /* Same id, other content: a conflict, and the first event is kept. */
    assert_int_equal(ingest_one(s, a, Q1_OTHER), AP_VERDICT_CONFLICT);
    assert_int_equal(count_events(s, a), 1);
    body = stored_event(s, a, "q-1");
    assert_string_equal(body, q1);
    free(body);
    size_t facts = 0;
    CHECK(ap_store_select_conversation_events(s, a, "c-1", count_fact, &facts, &err));
    assert_int_equal(facts, 1);

    /* The same id in another account is another event. */
    assert_int_equal(count_events(s, b), 0);
    assert_int_equal(ingest_one(s, b, Q1_OTHER), AP_VERDICT_STORED);
    assert_int_equal(count_events(s, b), 1);
    assert_int_equal(count_events(s, a), 1);
    body = stored_event(s, b, "q-1");
    assert_string_equal(body, q1_other);
    free(body);
    body = stored_event(s, a, "q-1");
    assert_string_equal(body, q1);
    free(body);

    /* One batch that repeats an id: stored, then duplicate, then conflict. */
    static const char *const batch[] = {
        "{\"id\":\"s-1\",\"type\":\"conversation.started\",\"at\":\"2026-11-02T09:00:00Z\","
        "\"conversation_id\":\"c-2\",\"channel\":\"chat\"}",
        "{\"id\":\"s-1\",\"type\":\"conversation.started\",\"at\":\"2026-11-02T09:00:00Z\","
        "\"conversation_id\":\"c-2\",\"channel\":\"chat\",\"handler\":\"agent\"}",
        "{\"id\":\"s-1\",\"type\":\"conversation.started\",\"at\":\"2026-11-02T09:00:00Z\","
        "\"conversation_id\":\"c-2\",\"channel\":\"email\"}",
        "{\"id\":\"r-1\",\"type\":\"conversation.resolved\",\"at\":\"2026-11-02T09:05:00Z\","
        "\"conversation_id\":\"c-2\",\"by\":\"agent\"}",
        "{\"id\":\"q-1\",\"type\":\"question.asked\",\"at\":\"2026-11-02T09:15:00Z\","
        "\"conversation_id\":\"c-1\",\"text\":\"Where is my parcel?\",\"answered\":false,"
        "\"embedding\":[1,2,3,4,5,6,7,8]}",
    };
    enum { N = sizeof batch / sizeof batch[0] };
    struct ap_event evs[N];
    enum ap_verdict verdicts[N];
    for (size_t i = 0; i < N; i++)
        parse(batch[i], &evs[i]);
    CHECK(ap_ingest_events(s, a, evs, N, verdicts, &err));
    assert_int_equal(verdicts[0], AP_VERDICT_STORED);
    assert_int_equal(verdicts[1], AP_VERDICT_DUPLICATE);
    assert_int_equal(verdicts[2], AP_VERDICT_CONFLICT);
    assert_int_equal(verdicts[3], AP_VERDICT_STORED);
    assert_int_equal(verdicts[4], AP_VERDICT_DUPLICATE);
    assert_int_equal(count_events(s, a), 3);
    body = stored_event(s, a, "s-1");
    assert_string_equal(body, evs[0].canonical);
    free(body);
    for (size_t i = 0; i < N; i++)
        ap_event_free(&evs[i]);

    /* An empty batch, and a batch for an account that does not exist. */
    CHECK(ap_ingest_events(s, a, NULL, 0, NULL, &err));
    int64_t ghost = a + b + 100;
    struct ap_event ev;
    enum ap_verdict v;
    parse(Q1, &ev);
    assert_int_not_equal(ap_ingest_events(s, ghost, &ev, 1, &v, &err), AP_OK);
    ap_event_free(&ev);
    assert_int_equal(count_events(s, ghost), 0);
    assert_null(stored_event(s, ghost, "q-1"));
    assert_null(stored_event(s, a, "no-such-event"));

    free(q1);
    free(q1_other);
    ap_store_destroy(s);
}

/* ---- NDJSON ingestion ---------------------------------------------------- */

struct problems {
    struct ap_ingest_problem list[32];
    size_t n;
};

static void collect_problem(void *ctx, const struct ap_ingest_problem *p)
{
    struct problems *ps = ctx;
    if (ps->n < 32)
        ps->list[ps->n] = *p;
    ps->n++;
}

/* A mixed batch: good lines, bad lines of every sort, a blank line, a conflict
 * and a duplicate, CRLF, and a last line without a newline. */
static char *mixed_input(void)
{
    struct ap_buf b;
    ap_buf_init(&b, 1u << 20);
    ap_buf_append_str(&b,
        /* 1 */ "{\"id\":\"e-1\",\"type\":\"conversation.started\",\"at\":\"2026-11-02T09:00:00Z\","
                "\"conversation_id\":\"c-1\",\"channel\":\"chat\"}\n"
        /* 2 */ "{\"id\":\"e-x\",\n"
        /* 3 */ "\n"
        /* 4 */ "{\"id\":\"e-2\",\"type\":\"question.asked\",\"at\":\"2026-11-02T09:01:00Z\","
                "\"conversation_id\":\"c-1\",\"text\":\"Hi?\",\"answered\":true}\n"
        /* 5 */ "{\"id\":\"e-3\",\"type\":\"conversation.closed\",\"at\":\"yesterday\","
                "\"conversation_id\":\"c-1\"}\n"
        /* 6 */ "{\"id\":\"e-4\",\"type\":\"conversation.resolved\","
                "\"at\":\"2026-11-02T09:02:00Z\","
                "\"conversation_id\":\"c-1\",\"by\":\"agent\"}\r\n");
    /* 7: longer than the 512-byte cap */
    ap_buf_append_str(&b, "{\"id\":\"e-long\",\"type\":\"question.asked\",\"text\":\"");
    for (int i = 0; i < 600; i++)
        ap_buf_append_char(&b, 'x');
    ap_buf_append_str(&b, "\"}\n");
    ap_buf_append_str(&b,
        /* 8 */ "{\"id\":\"e-1\",\"type\":\"conversation.started\",\"at\":\"2026-11-02T09:00:00Z\","
                "\"conversation_id\":\"c-1\",\"channel\":\"email\"}\n"
        /* 9 */ "{\"answered\":true,\"text\":\"Hi?\",\"conversation_id\":\"c-1\","
                "\"at\":\"2026-11-02T10:01:00+01:00\",\"type\":\"question.asked\",\"id\":\"e-2\"}\n"
        /* 10 */ "{\"id\":\"e-5\",\"type\":\"conversation.paused\",\"at\":\"2026-11-02T09:03:00Z\","
                 "\"conversation_id\":\"c-1\"}\n"
        /* 11 */ "{\"id\":\"e-6\",\"type\":\"feedback.submitted\",\"at\":\"2026-11-02T09:04:00Z\","
                 "\"conversation_id\":\"c-1\",\"rating\":\"helpful\"}");
    ap_buf_append_char(&b, '\0');
    return ap_buf_steal(&b, NULL);
}

static const struct {
    size_t line;
    enum ap_verdict verdict;
    const char *id, *field, *message;
} mixed_problems[] = {
    {2, AP_VERDICT_REJECTED, "", "", "invalid JSON"},
    {5, AP_VERDICT_REJECTED, "e-3", "at", "\"at\": not an RFC 3339 timestamp"},
    {7, AP_VERDICT_REJECTED, "", "", "line longer than 512 bytes"},
    {8, AP_VERDICT_CONFLICT, "e-1", "id", "\"id\": "},
    {10, AP_VERDICT_REJECTED, "e-5", "type", "\"type\": unknown event type"},
};

static void ingest_mixed(struct ap_store *s, int64_t account_id, const char *input, size_t batch,
                         struct ap_ingest_counts *counts, struct problems *probs)
{
    struct ap_ndjson_reader r;
    struct ap_ingest_options opts;
    struct ap_error err;
    ap_ingest_options_init(&opts);
    opts.max_line = 512;
    opts.batch = batch;
    memset(counts, 0, sizeof *counts);
    memset(probs, 0, sizeof *probs);
    ap_ndjson_init_memory(&r, input, strlen(input), opts.max_line);
    CHECK(ap_ingest_ndjson(s, account_id, &r, &opts, collect_problem, probs, counts,
                           &err));
    ap_ndjson_free(&r);
}

static void check_problems(const struct problems *probs, size_t batch)
{
    size_t n = sizeof mixed_problems / sizeof mixed_problems[0];
    if (probs->n != n)
        fail_msg("batch %zu: %zu problems, expected %zu", batch, probs->n, n);
    for (size_t i = 0; i < n; i++) {
        const struct ap_ingest_problem *p = &probs->list[i];
        if (p->line != mixed_problems[i].line || p->verdict != mixed_problems[i].verdict ||
            strcmp(p->id, mixed_problems[i].id) != 0 ||
            strcmp(p->field, mixed_problems[i].field) != 0 ||
            strstr(p->message, mixed_problems[i].message) == NULL)
            fail_msg("batch %zu, problem %zu: line %zu %s id \"%s\" field \"%s\" \"%s\"", batch,
                     i, p->line, ap_verdict_name(p->verdict), p->id, p->field, p->message);
    }
}

static void suite_ingest_ndjson(const char *url)
{
    static const size_t batches[] = {1, 2, 3, AP_INGEST_BATCH_DEFAULT};
    struct ap_store *s = open_store(url);
    char *input = mixed_input();
    for (size_t i = 0; i < sizeof batches / sizeof batches[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "batch-%zu", batches[i]);
        int64_t account = add_account(s, name);
        struct ap_ingest_counts counts;
        struct problems probs;

        ingest_mixed(s, account, input, batches[i], &counts, &probs);
        assert_int_equal(counts.stored, 4);
        assert_int_equal(counts.duplicate, 1);
        assert_int_equal(counts.conflict, 1);
        assert_int_equal(counts.rejected, 4);
        check_problems(&probs, batches[i]);
        assert_int_equal(count_events(s, account), 4);
        static const char *const stored[] = {"e-1", "e-2", "e-4", "e-6"};
        for (size_t k = 0; k < 4; k++) {
            char *body = stored_event(s, account, stored[k]);
            if (body == NULL)
                fail_msg("batch %zu: %s not stored", batches[i], stored[k]);
            free(body);
        }
        char *e1 = stored_event(s, account, "e-1");
        assert_non_null(strstr(e1, "\"channel\":\"chat\"")); /* line 1, not line 8 */
        free(e1);

        /* A retry of the whole input stores nothing twice. */
        ingest_mixed(s, account, input, batches[i], &counts, &probs);
        assert_int_equal(counts.stored, 0);
        assert_int_equal(counts.duplicate, 5);
        assert_int_equal(counts.conflict, 1);
        assert_int_equal(counts.rejected, 4);
        check_problems(&probs, batches[i]);
        assert_int_equal(count_events(s, account), 4);
    }
    free(input);
    ap_store_destroy(s);
}

/* ---- short answers -------------------------------------------------------- */

static void make_answer(struct ap_answer *a, const char *id, const char *question,
                        const char *answer, int64_t created)
{
    ap_answer_init(a);
    a->id = ap_strdup(id);
    a->question = ap_strdup(question);
    a->answer = ap_strdup(answer);
    a->created_at_us = a->updated_at_us = created;
}

struct answer_ids {
    char list[8][AP_ANSWER_ID_MAX_BYTES + 1];
    size_t n;
};

static enum ap_status collect_answer(void *ctx, const struct ap_answer *a)
{
    struct answer_ids *ids = ctx;
    if (ids->n < 8)
        ap_copy_str(ids->list[ids->n], sizeof ids->list[0], a->id);
    ids->n++;
    return AP_OK;
}

/* The ids of one page (q may be NULL) and the total; "a,b,c" into out. */
static int64_t answer_page(struct ap_store *s, int64_t account, const char *q, int enabled,
                           size_t limit, size_t offset, char *out, size_t size)
{
    struct ap_error err;
    struct answer_ids ids = {.n = 0};
    struct ap_answer_query query = {.q = q, .enabled = enabled, .limit = limit, .offset = offset};
    int64_t total = -1;
    CHECK(ap_store_select_answers(s, account, &query, collect_answer, &ids, &total, &err));
    out[0] = '\0';
    for (size_t i = 0; i < ids.n && i < 8; i++) {
        if (i)
            strncat(out, ",", size - strlen(out) - 1);
        strncat(out, ids.list[i], size - strlen(out) - 1);
    }
    return total;
}

static int64_t answer_version(struct ap_store *s, int64_t account, double *threshold)
{
    struct ap_error err;
    int64_t version = -1;
    double t;
    CHECK(ap_store_get_answer_state(s, account, &version, threshold ? threshold : &t, &err));
    return version;
}

/* A change that fails after its write, so that the transaction rolls back. */
struct failing_insert {
    int64_t account;
    const struct ap_answer *answer;
};

static enum ap_status insert_then_fail(struct ap_store *s, void *ctx, struct ap_error *err)
{
    const struct failing_insert *f = ctx;
    enum ap_status rc = ap_store_insert_answer(s, f->account, f->answer, err);
    return rc != AP_OK ? rc : ap_error_set(err, AP_INVALID, "x", "undone");
}

static void suite_answers(const char *url)
{
    struct ap_store *s = open_store(url);
    struct ap_error err;
    char page[256];
    double threshold = 0;
    int64_t acme = add_account(s, "acme"), other = add_account(s, "other");

    /* Nothing yet: version 0, the default threshold. */
    assert_int_equal(answer_version(s, acme, &threshold), 0);
    assert_true(threshold < 0);

    struct ap_answer a, b, c, got;
    make_answer(&a, "password", "How do I RESET my password?", "Go to the reset page.", 30);
    ap_answer_add_alternative(&a, "I forgot my password", 20);
    ap_answer_add_alternative(&a, "cannot log in", 13);
    ap_copy_str(a.language, sizeof a.language, "nb");
    make_answer(&b, "hours", "Opening hours?", "Monday to Friday, 9-17. Ærlig.", 10);
    make_answer(&c, "b-refund", "Refund?", "Within 30 days.", 30);
    c.enabled = false;
    CHECK(ap_store_insert_answer(s, acme, &a, &err));
    assert_int_equal(answer_version(s, acme, NULL), 1);
    CHECK(ap_store_insert_answer(s, acme, &b, &err));
    CHECK(ap_store_insert_answer(s, acme, &c, &err));
    assert_int_equal(answer_version(s, acme, NULL), 3);
    assert_int_equal(answer_version(s, other, NULL), 0);

    /* A taken id: AP_EXISTS naming the field, no bump; another account may use it. */
    assert_int_equal(ap_store_insert_answer(s, acme, &a, &err), AP_EXISTS);
    assert_string_equal(err.field, "id");
    assert_int_equal(answer_version(s, acme, NULL), 3);
    CHECK(ap_store_insert_answer(s, other, &b, &err));
    assert_int_equal(answer_version(s, other, NULL), 1);

    /* Every field round-trips, alternatives in order. */
    CHECK(ap_store_get_answer(s, acme, "password", &got, &err));
    assert_string_equal(got.id, "password");
    assert_string_equal(got.question, a.question);
    assert_string_equal(got.answer, a.answer);
    assert_string_equal(got.language, "nb");
    assert_int_equal(got.n_alternatives, 2);
    assert_string_equal(got.alternatives[0], "I forgot my password");
    assert_string_equal(got.alternatives[1], "cannot log in");
    assert_true(got.enabled);
    assert_int_equal(got.created_at_us, 30);
    assert_int_equal(got.updated_at_us, 30);
    ap_answer_free(&got);
    CHECK(ap_store_get_answer(s, acme, "hours", &got, &err));
    assert_int_equal(got.n_alternatives, 0);
    assert_string_equal(got.answer, b.answer);
    ap_answer_free(&got);
    assert_int_equal(ap_store_get_answer(s, other, "password", &got, &err), AP_NOT_FOUND);
    assert_string_equal(err.field, "id");

    /* Pages by creation then id; enabled filter; totals over all pages. */
    assert_int_equal(answer_page(s, acme, NULL, -1, 0, 0, page, sizeof page), 3);
    assert_string_equal(page, "hours,b-refund,password");
    assert_int_equal(answer_page(s, acme, NULL, 1, 0, 0, page, sizeof page), 2);
    assert_string_equal(page, "hours,password");
    assert_int_equal(answer_page(s, acme, NULL, 0, 0, 0, page, sizeof page), 1);
    assert_string_equal(page, "b-refund");
    assert_int_equal(answer_page(s, acme, NULL, -1, 1, 1, page, sizeof page), 3);
    assert_string_equal(page, "b-refund");
    assert_int_equal(answer_page(s, acme, NULL, -1, 2, 5, page, sizeof page), 3);
    assert_string_equal(page, "");

    /* Search: in question, alternatives or answer; ASCII case folded only. */
    assert_int_equal(answer_page(s, acme, "reset", -1, 0, 0, page, sizeof page), 1);
    assert_string_equal(page, "password");
    assert_int_equal(answer_page(s, acme, "FORGOT", -1, 0, 0, page, sizeof page), 1);
    assert_int_equal(answer_page(s, acme, "30 DAYS", -1, 0, 0, page, sizeof page), 1);
    assert_string_equal(page, "b-refund");
    assert_int_equal(answer_page(s, acme, "password\ncannot", -1, 0, 0, page, sizeof page), 1);
    assert_int_equal(answer_page(s, acme, "ærlig", -1, 0, 0, page, sizeof page), 0);
    assert_int_equal(answer_page(s, acme, "Ærlig", -1, 0, 0, page, sizeof page), 1);
    assert_int_equal(answer_page(s, acme, "100%", -1, 0, 0, page, sizeof page), 0);
    assert_int_equal(answer_page(s, acme, "?", 1, 0, 0, page, sizeof page), 2);

    /* Update: every field but created_at; AP_NOT_FOUND for an unknown id. */
    free(b.answer);
    b.answer = ap_strdup("Always open.");
    ap_answer_add_alternative(&b, "when are you open", 17);
    b.enabled = false;
    b.created_at_us = 999;
    b.updated_at_us = 40;
    CHECK(ap_store_update_answer(s, acme, &b, &err));
    assert_int_equal(answer_version(s, acme, NULL), 4);
    CHECK(ap_store_get_answer(s, acme, "hours", &got, &err));
    assert_string_equal(got.answer, "Always open.");
    assert_int_equal(got.n_alternatives, 1);
    assert_false(got.enabled);
    assert_int_equal(got.created_at_us, 10);
    assert_int_equal(got.updated_at_us, 40);
    ap_answer_free(&got);
    free(b.id);
    b.id = ap_strdup("nope");
    assert_int_equal(ap_store_update_answer(s, acme, &b, &err), AP_NOT_FOUND);
    assert_string_equal(err.field, "id");
    assert_int_equal(answer_version(s, acme, NULL), 4);

    /* Delete; the other account's answer of the same id stays. */
    CHECK(ap_store_delete_answer(s, acme, "hours", &err));
    assert_int_equal(answer_version(s, acme, NULL), 5);
    assert_int_equal(ap_store_delete_answer(s, acme, "hours", &err), AP_NOT_FOUND);
    assert_int_equal(answer_version(s, acme, NULL), 5);
    CHECK(ap_store_get_answer(s, other, "hours", &got, &err));
    ap_answer_free(&got);

    /* The bump is part of the caller's transaction: undone with the change. */
    struct ap_answer rolled;
    make_answer(&rolled, "rolled", "q", "a", 50);
    struct failing_insert fail = {acme, &rolled};
    assert_int_equal(ap_store_transact(s, insert_then_fail, &fail, &err), AP_INVALID);
    ap_answer_free(&rolled);
    assert_int_equal(answer_version(s, acme, NULL), 5);
    assert_int_equal(ap_store_get_answer(s, acme, "rolled", &got, &err), AP_NOT_FOUND);

    /* The threshold: set, kept across changes, back to the default. */
    CHECK(ap_store_set_answer_threshold(s, acme, 0.625, &err));
    assert_int_equal(answer_version(s, acme, &threshold), 5);
    assert_true(threshold == 0.625);
    CHECK(ap_store_delete_answer(s, acme, "b-refund", &err));
    assert_int_equal(answer_version(s, acme, &threshold), 6);
    assert_true(threshold == 0.625);
    CHECK(ap_store_set_answer_threshold(s, acme, -1, &err));
    answer_version(s, acme, &threshold);
    assert_true(threshold < 0);
    CHECK(ap_store_set_answer_threshold(s, other, 0, &err));
    assert_int_equal(answer_version(s, other, &threshold), 1);
    assert_true(threshold == 0);

    ap_answer_free(&a);
    ap_answer_free(&b);
    ap_answer_free(&c);
    ap_store_destroy(s);
}

/* ---- SQLite only ---------------------------------------------------------- */

/* ---- knowledge gaps: a person's dismissals ------------------------------------ */

static enum ap_status count_question(void *ctx, const struct ap_gap_question_rec *q)
{
    (void)q;
    ++*(int *)ctx;
    return AP_OK;
}

/* Questions the re-grouping may still move (not pinned, not dismissed). */
static int regroupable(struct ap_store *s, int64_t account_id)
{
    struct ap_error err;
    int n = 0;
    CHECK(ap_store_select_gap_regroup_questions(s, account_id, count_question, &n, &err));
    return n;
}

static enum ap_status note_dismissed(void *ctx, const struct ap_gap_question_rec *q)
{
    *(bool *)ctx = q->dismissed;
    return AP_OK;
}

static bool question_dismissed(struct ap_store *s, int64_t account_id, int64_t id)
{
    struct ap_error err;
    bool dismissed = false;
    CHECK(ap_store_get_gap_question(s, account_id, id, note_dismissed, &dismissed, &err));
    return dismissed;
}

static enum ap_status keep_topic_figures(void *ctx, const struct ap_gap_topic_rec *t)
{
    *(struct ap_gap_topic_rec *)ctx = *t;
    ((struct ap_gap_topic_rec *)ctx)->label = ((struct ap_gap_topic_rec *)ctx)->auto_label =
        ((struct ap_gap_topic_rec *)ctx)->answer_id = NULL; /* strings live in the callback */
    return AP_OK;
}

static struct ap_gap_topic_rec topic_figures(struct ap_store *s, int64_t account_id, int64_t id)
{
    struct ap_error err;
    struct ap_gap_topic_rec t = {0};
    struct ap_gap_topic_query q = {.from_us = INT64_MIN, .to_us = INT64_MAX,
                                   .status = AP_GAP_STATUS_ANY, .limit = 1, .topic_id = id};
    int64_t total;
    CHECK(ap_store_select_gap_topics(s, account_id, &q, keep_topic_figures, &t, &total, &err));
    return t;
}

/* Records the questions (conversations[i]) into one new topic; returns it. */
static int64_t topic_of_questions(struct ap_store *s, int64_t account_id,
                                  const char *const *conversations, size_t n)
{
    struct ap_error err;
    int64_t topic = 0;
    CHECK(ap_store_begin(s, &err));
    CHECK(ap_store_insert_gap_topic(s, account_id, 1000000, &topic, &err));
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "q%zu", i);
        struct ap_gap_question_rec q = {.event_id = id, .conversation_id = conversations[i],
                                        .at_us = 1000000 * (int64_t)(i + 1),
                                        .text = "where is my order"};
        CHECK(ap_store_record_gap_question(s, account_id, &q, &err));
        CHECK(ap_store_assign_gap_question(s, account_id, (int64_t)i + 1, topic, (int64_t)i + 1,
                                           "english", 0.5, &err));
    }
    CHECK(ap_store_commit(s, &err));
    return topic;
}

static void suite_gap_dismissals(const char *url)
{
    struct ap_store *s = open_store(url);
    struct ap_error err;
    int64_t acme = add_account(s, "acme"), other = add_account(s, "other");
    const char *const acme_convs[] = {"c1", "c1", "c2"}, *const other_convs[] = {"c1"};
    int64_t topic = topic_of_questions(s, acme, acme_convs, 3);
    int64_t other_topic = topic_of_questions(s, other, other_convs, 1);
    assert_int_equal(regroupable(s, acme), 3);

    /* Dismissed by a person, then brought back: pinned both times. */
    CHECK(ap_store_begin(s, &err));
    CHECK(ap_store_curate_gap_question_dismissed(s, acme, topic, 1, true, &err));
    CHECK(ap_store_curate_gap_question_dismissed(s, acme, topic, 3, true, &err));
    CHECK(ap_store_refresh_gap_topic(s, acme, topic, &err));
    CHECK(ap_store_commit(s, &err));
    assert_true(question_dismissed(s, acme, 1));
    assert_int_equal(regroupable(s, acme), 1);
    struct ap_gap_topic_rec t = topic_figures(s, acme, topic);
    assert_int_equal(t.questions, 1);
    assert_int_equal(t.conversations, 1);
    CHECK(ap_store_begin(s, &err));
    CHECK(ap_store_curate_gap_question_dismissed(s, acme, topic, 1, false, &err));
    CHECK(ap_store_refresh_gap_topic(s, acme, topic, &err));
    CHECK(ap_store_commit(s, &err));
    assert_false(question_dismissed(s, acme, 1));
    assert_int_equal(regroupable(s, acme), 1); /* the undo pinned it too */
    assert_int_equal(topic_figures(s, acme, topic).questions, 2);

    /* Only a question of that topic, of that account. */
    CHECK(ap_store_begin(s, &err));
    assert_int_equal(ap_store_curate_gap_question_dismissed(s, acme, topic + 99, 2, true, &err),
                     AP_NOT_FOUND);
    assert_int_equal(ap_store_curate_gap_question_dismissed(s, other, other_topic, 2, true, &err),
                     AP_NOT_FOUND);
    CHECK(ap_store_curate_gap_question_dismissed(s, other, other_topic, 1, true, &err));
    CHECK(ap_store_commit(s, &err));
    assert_false(question_dismissed(s, acme, 1));
    assert_true(question_dismissed(s, other, 1));
    assert_int_equal(regroupable(s, acme), 1);
    assert_int_equal(regroupable(s, other), 0);
    ap_store_destroy(s);
}

static void test_sqlite_open_errors(void **state)
{
    (void)state;
    struct ap_store *s = (struct ap_store *)1;
    struct ap_error err;
    assert_int_equal(ap_store_open("", &s, &err), AP_INVALID);
    assert_null(s);
    assert_string_equal(err.field, "db");
    assert_int_not_equal(ap_store_open("sqlite:/nonexistent-dir/agentperf/x.db", &s, &err), AP_OK);
    assert_null(s);
    assert_string_equal(err.field, "db");

    /* A file that is not a database. */
    char *url = sqlite_new_url();
    FILE *fp = fopen(url + strlen("sqlite:"), "w");
    assert_non_null(fp);
    for (int i = 0; i < 512; i++)
        fputs("not a database ", fp);
    fclose(fp);
    assert_int_not_equal(ap_store_open(url, &s, &err), AP_OK);
    assert_null(s);
    sqlite_drop(url);

    /* "file:" and a plain path open the same SQLite file as "sqlite:". */
    const char *path = url + strlen("sqlite:");
    char file_url[4200];
    snprintf(file_url, sizeof file_url, "file:%s", path);
    s = open_store(url);
    add_account(s, "one");
    ap_store_destroy(s);
    struct ap_account a;
    s = open_store(file_url);
    CHECK(ap_store_get_account_by_name(s, "one", &a, &err));
    ap_store_destroy(s);
    s = open_store(path);
    CHECK(ap_store_get_account_by_name(s, "one", &a, &err));
    ap_store_destroy(s);
    sqlite_drop(url);
    free(url);
}

/* ---- PostgreSQL only ------------------------------------------------------- */

static void test_pg_open_errors(void **state)
{
    (void)state;
    struct ap_store *s = (struct ap_store *)1;
    struct ap_error err;
    /* Nobody listens on port 1; a database that does not exist. */
    assert_int_equal(ap_store_open("postgresql://agentperf@127.0.0.1:1/x", &s, &err),
                     AP_UNAVAILABLE);
    assert_null(s);
    assert_string_equal(err.field, "db");
    char url[1024];
    snprintf(url, sizeof url, "%s/no_such_database", getenv("AP_TEST_PG"));
    assert_int_equal(ap_store_open(url, &s, &err), AP_UNAVAILABLE);
    assert_null(s);
    assert_non_null(strstr(err.message, "no_such_database"));

    /* "postgres://" and "postgresql://" name the same database. */
    char *pg_url = pg_new_url();
    s = open_store(pg_url);
    add_account(s, "one");
    ap_store_destroy(s);
    char other[1100];
    snprintf(other, sizeof other, "postgres://%s", pg_url + strlen("postgresql://"));
    s = open_store(other);
    struct ap_account a;
    CHECK(ap_store_get_account_by_name(s, "one", &a, &err));

    /* A connection the server ended is opened again and the statement sent
     * again; inside a transaction the loss is reported, never hidden, and the
     * next transaction gets a new connection. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s' "
             "AND pid <> pg_backend_pid()", strrchr(pg_url, '/') + 1);
    char admin[1024];
    snprintf(admin, sizeof admin, "%s", pg_url);
    PGconn *c = PQconnectdb(admin);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PQclear(PQexec(c, sql));
    CHECK(ap_store_ping(s, &err));
    CHECK(ap_store_get_account_by_name(s, "one", &a, &err));
    CHECK(ap_store_begin(s, &err));
    PQclear(PQexec(c, sql));
    assert_int_equal(ap_store_get_account_by_name(s, "one", &a, &err), AP_UNAVAILABLE);
    assert_int_equal(ap_store_get_account_by_name(s, "one", &a, &err), AP_UNAVAILABLE);
    ap_store_rollback(s);
    CHECK(ap_store_get_account_by_name(s, "one", &a, &err));
    PQclear(PQexec(c, sql));
    CHECK(ap_store_begin(s, &err));
    CHECK(ap_store_get_account_by_name(s, "one", &a, &err));
    CHECK(ap_store_commit(s, &err));
    PQfinish(c);
    ap_store_destroy(s);
    pg_drop(pg_url);
    free(pg_url);
}

struct first_embedding {
    double first;
    size_t len;
};

static enum ap_status read_first_embedding(void *ctx, const struct ap_gap_question_rec *q)
{
    struct first_embedding *p = ctx;
    if (q->embedding) {
        p->first = q->embedding[0];
        p->len = q->embedding_len;
    }
    return AP_OK;
}

/* ---- embeddings from the model server ------------------------------------- */

/* Records an unanswered question (with the agent's own vector when own_len > 0). */
static void record_question(struct ap_store *s, int64_t account_id, const char *event_id,
                            const char *text, const double *own, size_t own_len)
{
    struct ap_error err;
    struct ap_gap_question_rec q = {.event_id = event_id, .conversation_id = event_id,
                                    .at_us = 1000, .text = text, .embedding = own,
                                    .embedding_len = own_len};
    CHECK(ap_store_begin(s, &err));
    CHECK(ap_store_record_gap_question(s, account_id, &q, &err));
    CHECK(ap_store_commit(s, &err));
}

struct unembedded {
    int64_t ids[16];
    int64_t topics[16];
    size_t n;
};

static enum ap_status collect_unembedded(void *ctx, const struct ap_gap_question_rec *q)
{
    struct unembedded *u = ctx;
    u->topics[u->n] = q->topic_id;
    u->ids[u->n++] = q->id;
    return AP_OK;
}

static struct unembedded unembedded(struct ap_store *s, int64_t account_id, const char *model)
{
    struct unembedded u = {0};
    struct ap_error err;
    CHECK(ap_store_select_unembedded_gap_questions(s, account_id, model, 16, collect_unembedded,
                                                   &u, &err));
    return u;
}

static void suite_embeddings(const char *url)
{
    struct ap_store *s = open_store(url);
    struct ap_error err;
    int64_t acme = add_account(s, "acme");
    uint8_t h1[AP_TEXT_HASH_SIZE] = {1}, h2[AP_TEXT_HASH_SIZE] = {2};
    double v[8] = {1, 2, 3, 4, 5, 6, 7, 8}, w[8] = {8, 7, 6, 5, 4, 3, 2, 1}, got[16];
    size_t dims = 0;

    /* The cache: nothing, then the first vector stored for a key wins; keys
     * are per model; a vector longer than the caller's room is "none". */
    assert_int_equal(ap_store_get_cached_embedding(s, "m1", h1, got, 16, &dims, &err),
                     AP_NOT_FOUND);
    CHECK(ap_store_put_cached_embedding(s, "m1", h1, v, 8, 1, &err));
    CHECK(ap_store_put_cached_embedding(s, "m1", h1, w, 8, 2, &err));
    CHECK(ap_store_get_cached_embedding(s, "m1", h1, got, 16, &dims, &err));
    assert_int_equal(dims, 8);
    assert_memory_equal(got, v, sizeof v);
    assert_int_equal(ap_store_get_cached_embedding(s, "m2", h1, got, 16, &dims, &err),
                     AP_NOT_FOUND);
    assert_int_equal(ap_store_get_cached_embedding(s, "m1", h2, got, 16, &dims, &err),
                     AP_NOT_FOUND);
    assert_int_equal(ap_store_get_cached_embedding(s, "m1", h1, got, 4, &dims, &err),
                     AP_NOT_FOUND);

    /* Questions without a vector, not yet assigned first; the agent's own
     * vector is never listed nor replaced. */
    double own[8] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    record_question(s, acme, "e1", "first", NULL, 0);
    record_question(s, acme, "e2", "second", own, 8);
    record_question(s, acme, "e3", "third", NULL, 0);
    struct unembedded u = unembedded(s, acme, "m1");
    assert_int_equal(u.n, 2);
    assert_int_equal(u.ids[0], 1);
    assert_int_equal(u.ids[1], 3);
    bool assigned = true;
    CHECK(ap_store_begin(s, &err));
    CHECK(ap_store_set_gap_question_embedding(s, acme, 2, "m1", v, 8, &assigned, &err));
    CHECK(ap_store_commit(s, &err));
    assert_false(assigned);

    /* Assigned questions come after pending ones and say so when set. */
    int64_t topic;
    CHECK(ap_store_begin(s, &err));
    CHECK(ap_store_insert_gap_topic(s, acme, 1, &topic, &err));
    CHECK(ap_store_assign_gap_question(s, acme, 1, topic, 1, "en", 1.0, &err));
    CHECK(ap_store_commit(s, &err));
    u = unembedded(s, acme, "m1");
    assert_int_equal(u.n, 2);
    assert_int_equal(u.ids[0], 3);
    assert_int_equal(u.ids[1], 1);
    assert_int_equal(u.topics[1], topic);
    CHECK(ap_store_begin(s, &err));
    CHECK(ap_store_set_gap_question_embedding(s, acme, 1, "m1", v, 8, &assigned, &err));
    assert_true(assigned);
    CHECK(ap_store_set_gap_question_embedding(s, acme, 3, "m1", w, 8, &assigned, &err));
    assert_false(assigned);
    CHECK(ap_store_commit(s, &err));
    assert_int_equal(unembedded(s, acme, "m1").n, 0);

    /* Another model: every question the model server embedded is listed
     * again, the agent's own still not. */
    u = unembedded(s, acme, "m2");
    assert_int_equal(u.n, 2);
    assert_int_equal(u.ids[0], 3);
    assert_int_equal(u.ids[1], 1);

    /* The stored vector is what assignment reads (the pending question 3). */
    struct first_embedding p1 = {0, 0};
    CHECK(ap_store_select_pending_gap_questions(s, acme, 10, read_first_embedding, &p1, &err));
    assert_int_equal(p1.len, 8);
    assert_true(p1.first == 8.0);

    /* The account's switch is stored. */
    struct ap_account a;
    CHECK(ap_store_get_account(s, acme, &a, &err));
    assert_true(a.embeddings);
    a.embeddings = false;
    CHECK(ap_store_update_account(s, &a, &err));
    CHECK(ap_store_get_account(s, acme, &a, &err));
    assert_false(a.embeddings);
    ap_store_destroy(s);
}

/* ---- the suite ------------------------------------------------------------ */

#define SUITE_TEST(suite)                                  \
    static void test_##suite(void **state)                 \
    {                                                      \
        const struct fixture *f = *state;                  \
        suite(f->url);                                     \
    }
SUITE_TEST(suite_migrations)
SUITE_TEST(suite_accounts)
SUITE_TEST(suite_tokens)
SUITE_TEST(suite_events)
SUITE_TEST(suite_ingest_ndjson)
SUITE_TEST(suite_answers)
SUITE_TEST(suite_gap_dismissals)
SUITE_TEST(suite_embeddings)

#define BACKEND_TESTS(backend)                                                                  \
    cmocka_unit_test_prestate_setup_teardown(test_suite_migrations, setup, teardown, backend),  \
    cmocka_unit_test_prestate_setup_teardown(test_suite_accounts, setup, teardown, backend),    \
    cmocka_unit_test_prestate_setup_teardown(test_suite_tokens, setup, teardown, backend),      \
    cmocka_unit_test_prestate_setup_teardown(test_suite_events, setup, teardown, backend),      \
    cmocka_unit_test_prestate_setup_teardown(test_suite_ingest_ndjson, setup, teardown, backend), \
    cmocka_unit_test_prestate_setup_teardown(test_suite_answers, setup, teardown, backend),       \
    cmocka_unit_test_prestate_setup_teardown(test_suite_gap_dismissals, setup, teardown, backend), \
    cmocka_unit_test_prestate_setup_teardown(test_suite_embeddings, setup, teardown, backend)

/* Exit status ctest reads as "skipped" (SKIP_RETURN_CODE in tests/CMakeLists.txt). */
#define EXIT_SKIPPED 77

/* AP_TEST_BACKEND=postgres runs the suite on PostgreSQL (the -pg registration);
 * SQLite otherwise. */
int main(void)
{
    if (ap_token_library_init(NULL) != AP_OK)
        return 1;
    ap_log_set_level(AP_LOG_ERROR);
    const char *backend = getenv("AP_TEST_BACKEND");
    if (backend && strcmp(backend, "postgres") == 0) {
        const char *server = getenv("AP_TEST_PG");
        if (server == NULL || server[0] == '\0') {
            fprintf(stderr, "AP_TEST_PG is not set: no PostgreSQL server to test against\n");
            return getenv("AP_TEST_PG_REQUIRED") ? 1 : EXIT_SKIPPED;
        }
        void *pg = (void *)&pg_backend;
        const struct CMUnitTest tests[] = {
            BACKEND_TESTS(pg),
            cmocka_unit_test(test_pg_open_errors),
        };
        return cmocka_run_group_tests_name("postgres", tests, NULL, NULL);
    }
    void *sqlite = (void *)&sqlite_backend;
    const struct CMUnitTest tests[] = {
        BACKEND_TESTS(sqlite),
        cmocka_unit_test(test_sqlite_open_errors),
    };
    return cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
}
