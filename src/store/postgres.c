/* The PostgreSQL backend through libpq: the server database that several
 * agentperf processes share (SPEC §8). Same operations and figures as sqlite.c;
 * what differs is concurrency. SQLite serialises every writer of the file;
 * here writers of one account run at once on several nodes, so an ingest
 * transaction first takes transaction-scoped advisory locks on the
 * conversations and tickets it touches (lock_events), a rebuild takes the
 * account exclusively, and report cells are added with conflict-safe upserts.
 * Transactions are READ COMMITTED: every statement after a lock sees what the
 * previous holder committed. Deadlocks and serialization failures are AP_BUSY,
 * so ap_store_transact retries the whole transaction.
 *
 * A store object is one connection. A lost connection is re-established on the
 * next operation outside a transaction (never silently inside one: its work is
 * gone, so the operation fails with AP_UNAVAILABLE and the caller answers 503).
 * Statements are prepared lazily, once per connection, from the table below;
 * parameters and results travel in binary, so no number is printed or parsed.
 * A transaction's writes are buffered and sent in bulk (events, conversation
 * states, member names, knowledge-gap rows), before any statement that reads
 * them and at commit (docs/internals/store.md). The store owns every buffer and
 * result; pointers handed to callbacks are valid during the call only. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/cells.h"
#include "store/backends.h"

enum stmt_id {
    ST_PING,
    ST_SCHEMA_VERSION,
    ST_INSERT_ACCOUNT,
    ST_UPDATE_ACCOUNT,
    ST_ACCOUNT_BY_NAME,
    ST_ACCOUNT_BY_ID,
    ST_ACCOUNTS,
    ST_INSERT_TOKEN,
    ST_TOKEN_BY_HASH,
    ST_TOKENS,
    ST_REVOKE_TOKEN,
    ST_INSERT_EVENT,
    ST_EVENT_BODY,
    ST_COUNT_EVENTS,
    ST_CONVERSATION_EVENTS,
    ST_TICKET_EVENTS,
    ST_EVENT_CONVERSATIONS,
    ST_GET_CONVERSATION,
    ST_PUT_CONVERSATION,
    ST_CONVERSATIONS_BY_START,
    ST_QUIET_CONVERSATIONS,
    ST_ADD_CELLS,
    ST_ADD_PENDING_CELLS,
    ST_SELECT_CELLS,
    ST_SELECT_PENDING_CELLS,
    ST_DELETE_CONVERSATIONS,
    ST_DELETE_CELLS,
    ST_DELETE_PENDING_CELLS,
    ST_SET_REPORTS_STALE,
    ST_PUT_MEMBER,
    ST_MEMBERS,
    ST_RECORD_GAP_QUESTION,
    ST_UPDATE_GAP_CHANNELS,
    ST_GAP_GENERATION,
    ST_BUMP_GAP_GENERATION,
    ST_GAP_ASSIGNMENTS,
    ST_PENDING_GAP_QUESTIONS,
    ST_ASSIGN_GAP_QUESTION,
    ST_INSERT_GAP_TOPIC,
    ST_SELECT_GAP_TOPICS,
    ST_GET_GAP_TOPIC,
    ST_GAP_TOPIC_QUESTIONS,
    ST_GAP_TOPIC_LATEST,
    ST_GET_GAP_QUESTION,
    ST_RENAME_GAP_TOPIC,
    ST_SET_GAP_TOPIC_DISMISSED,
    ST_SET_GAP_QUESTION_DISMISSED,
    ST_CURATE_GAP_QUESTION_DISMISSED,
    ST_MOVE_GAP_QUESTION,
    ST_REGROUP_GAP_QUESTIONS,
    ST_REGROUP_GAP_QUESTION,
    ST_MERGE_GAP_QUESTIONS,
    ST_MARK_GAP_TOPIC_MERGED,
    ST_SET_GAP_TOPIC_ANSWER,
    ST_CONVERSATION_BODIES,
    ST_RECORD_GAP_QUESTIONS,
    ST_UPDATE_GAP_CHANNELS_MANY,
    ST_ASSIGN_GAP_QUESTIONS,
    ST_GAP_FIGURES_BY_CONVERSATIONS,
    ST_GAP_FIGURES_BY_LAST,
    ST_GAP_FIGURES_OF_TOPIC,
    ST_ADD_GAP_FIGURES,
    ST_CLEAR_GAP_FIGURES,
    ST_FILL_GAP_FIGURES,
    ST_LABEL_GAP_FIGURES,
    ST_GAP_QUESTION_TOPIC,
    ST_INSERT_EVENTS,
    ST_EVENT_BODIES,
    ST_TICKETS_EVENTS,
    ST_PUT_MEMBERS,
    ST_GET_CONVERSATIONS,
    ST_PUT_CONVERSATIONS,
    ST_LOCK_SHARED,
    ST_LOCK_EXCLUSIVE,
    ST_LOCK_MANY,
    /* short answers */
    ST_INSERT_ANSWER,
    ST_UPDATE_ANSWER,
    ST_DELETE_ANSWER,
    ST_GET_ANSWER,
    ST_SELECT_ANSWERS,
    ST_COUNT_ANSWERS,
    ST_BUMP_ANSWERS,
    ST_ANSWER_STATE,
    ST_SET_ANSWER_THRESHOLD,
    /* embeddings */
    ST_GET_CACHED_EMBEDDING,
    ST_PUT_CACHED_EMBEDDING,
    ST_UNEMBEDDED_GAP_QUESTIONS,
    ST_SET_GAP_QUESTION_EMBEDDING,
    ST_MAX_GAP_QUESTION_ID,
    ST__COUNT
};

#define ACCOUNT_COLUMNS                                                                    \
    "id, name, time_zone, inactivity_hours, conversation_url, ticket_url, created_at_us, " \
    "reports_stale, default_language, embeddings"
#define METRIC_COLUMNS                                                                  \
    "conversations, handled, resolved, deflected, handed_off, converted, resolution_us, " \
    "close_us, helpful, not_helpful, asked, unanswered, replied, reply_us"
#define FACT_COLUMNS "id, type, at_us, conversation_id, flags, attr, member_id, ticket_id"
#define TOKEN_COLUMNS "account_id, id, role, hash, label, created_at_us, revoked_at_us"
/* The fourteen metric arrays of an add_cells statement, from parameter $6 on
 * ($20, after them, is the pending cells' quiet hours). */
#define METRIC_ARRAYS                                                                       \
    "$6::int8[], $7::int8[], $8::int8[], $9::int8[], $10::int8[], $11::int8[], $12::int8[], " \
    "$13::int8[], $14::int8[], $15::int8[], $16::int8[], $17::int8[], $18::int8[], $19::int8[]"
#define METRIC_SUMS(t)                                                                       \
    "conversations = " t ".conversations + excluded.conversations, "                         \
    "handled = " t ".handled + excluded.handled, resolved = " t ".resolved + excluded.resolved, " \
    "deflected = " t ".deflected + excluded.deflected, "                                     \
    "handed_off = " t ".handed_off + excluded.handed_off, "                                  \
    "converted = " t ".converted + excluded.converted, "                                     \
    "resolution_us = " t ".resolution_us + excluded.resolution_us, "                         \
    "close_us = " t ".close_us + excluded.close_us, helpful = " t ".helpful + excluded.helpful, " \
    "not_helpful = " t ".not_helpful + excluded.not_helpful, "                               \
    "asked = " t ".asked + excluded.asked, unanswered = " t ".unanswered + excluded.unanswered, " \
    "replied = " t ".replied + excluded.replied, reply_us = " t ".reply_us + excluded.reply_us"

#define GAP_QUESTION_COLUMNS                                                              \
    "id, event_id, conversation_id, at_us, text, language, embedding, channel, topic_id, " \
    "assign_seq, stemmer, similarity, dismissed"
/* The channel of a conversation: that of its earliest start ($3 = the type). */
#define CHANNEL_OF(conversation)                                                          \
    "(SELECT e.attr FROM events e WHERE e.account_id = $1::int8 AND e.conversation_id = " \
    conversation " AND e.type = $3::int8 ORDER BY e.at_us, e.id COLLATE \"C\" LIMIT 1)"
#define GAP_STATUS_OF(dismissed, answer, since)                                          \
    "CASE WHEN " dismissed " <> 0 THEN 3 WHEN " answer " IS NULL THEN 0 WHEN " since       \
    " > 0 THEN 2 ELSE 1 END"
#define SINCE_ANSWER "sum(CASE WHEN q.at_us > t.answered_at_us THEN 1 ELSE 0 END)"
/* A topic's most representative question, kept in its figures (as in sqlite.c). */
#define GAP_LABEL_OF(topic)                                                                 \
    "(SELECT r.text FROM gap_questions r WHERE r.account_id = $1::int8 AND r.id = (SELECT " \
    "a.label_question_id FROM gap_topic_figures a WHERE a.account_id = $1::int8 AND "       \
    "a.topic_id = " topic " AND a.channel = '*'))"
/* One page of the topic table from gap_topic_figures, as in sqlite.c: $1
 * account, $2 channel or NULL, $3 topic or 0, $4 status, $5 limit, $6 offset. */
#define GAP_FIGURES_STATUS GAP_STATUS_OF("z.dismissed", "z.answer_id", "z.since_answer")
#define GAP_FIGURES_PAGE(where, order)                                                      \
    "SELECT x.id, x.label, " GAP_LABEL_OF("x.id") ", x.dismissed, x.merged_into, "          \
    "x.answer_id, x.answered_at_us, x.created_at_us, x.conversations, x.questions, "        \
    "x.last_at_us, x.since_answer, x.status, x.total FROM (SELECT z.*, " GAP_FIGURES_STATUS \
    " AS status, count(*) OVER () AS total FROM (SELECT t.id, t.label, t.dismissed, "       \
    "t.merged_into, t.answer_id, t.answered_at_us, t.created_at_us, f.conversations, "      \
    "f.questions, f.last_at_us, CASE WHEN t.answer_id IS NULL THEN 0 ELSE (SELECT count(*) " \
    "FROM gap_questions r WHERE r.account_id = $1::int8 AND r.topic_id = t.id AND "         \
    "r.dismissed = 0 AND r.at_us > t.answered_at_us AND ($2::text IS NULL OR "              \
    "r.channel = $2::text)) END AS since_answer FROM gap_topic_figures f JOIN gap_topics t " \
    "ON t.account_id = f.account_id AND t.id = f.topic_id WHERE f.account_id = $1::int8 "   \
    "AND f.channel = coalesce($2::text, '*') AND t.merged_into IS NULL AND " where ") z "    \
    "WHERE $4::int8 = -1 OR ($4::int8 = -2 AND " GAP_FIGURES_STATUS " <> 3) OR "            \
    GAP_FIGURES_STATUS " = $4::int8 ORDER BY " order " LIMIT $5::int8 OFFSET $6::int8) x "  \
    "ORDER BY " order
#define ANSWER_COLUMNS                                                                     \
    "id, question, alternatives, n_alternatives, answer, language, enabled, created_at_us, " \
    "updated_at_us"
/* $1 account, $2 enabled (-1 for any), $3 search text or NULL. lower() under
 * the "C" collation folds ASCII letters only, as SQLite's lower() does. */
#define ANSWER_FILTER                                                                        \
    "WHERE account_id = $1::int8 AND ($2::int8 < 0 OR enabled = $2::int8) AND "            \
    "($3::text IS NULL OR strpos(lower((question || chr(10) || alternatives || chr(10) || " \
    "answer) COLLATE \"C\"), lower($3::text COLLATE \"C\")) > 0)"

static const char *const stmt_sql[ST__COUNT] = {
    [ST_PING] = "SELECT 1::int8",
    [ST_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0)::int8 FROM schema_migrations",
    [ST_INSERT_ACCOUNT] = "INSERT INTO accounts (name, time_zone, inactivity_hours, "
                          "conversation_url, ticket_url, created_at_us, reports_stale, "
                          "default_language, embeddings) VALUES ($1::text, $2::text, $3::int8, "
                          "$4::text, $5::text, $6::int8, false, $7::text, $8::int8) ON CONFLICT (name) DO NOTHING "
                          "RETURNING id",
    [ST_UPDATE_ACCOUNT] = "UPDATE accounts SET reports_stale = CASE WHEN time_zone <> $1::text "
                          "OR inactivity_hours <> $2::int8 THEN true ELSE reports_stale END, "
                          "time_zone = $1::text, inactivity_hours = $2::int8, "
                          "conversation_url = $3::text, ticket_url = $4::text, "
                          "default_language = $6::text, embeddings = $7::int8 WHERE id = $5::int8",
    [ST_ACCOUNT_BY_NAME] = "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE name = $1::text",
    [ST_ACCOUNT_BY_ID] = "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = $1::int8",
    [ST_ACCOUNTS] = "SELECT " ACCOUNT_COLUMNS " FROM accounts ORDER BY name COLLATE \"C\"",
    [ST_INSERT_TOKEN] = "INSERT INTO tokens (account_id, id, role, hash, label, created_at_us) "
                        "VALUES ($1::int8, (SELECT coalesce(max(id), 0) + 1 FROM tokens WHERE "
                        "account_id = $1::int8), $2::text, $3::bytea, $4::text, $5::int8) "
                        "RETURNING id",
    [ST_TOKEN_BY_HASH] = "SELECT " TOKEN_COLUMNS " FROM tokens WHERE hash = $1::bytea",
    [ST_TOKENS] = "SELECT " TOKEN_COLUMNS " FROM tokens WHERE account_id = $1::int8 ORDER BY id",
    [ST_REVOKE_TOKEN] = "UPDATE tokens SET revoked_at_us = coalesce(revoked_at_us, $1::int8) "
                        "WHERE account_id = $2::int8 AND id = $3::int8",
    [ST_INSERT_EVENT] = "INSERT INTO events (account_id, id, conversation_id, type, at_us, body, "
                        "ticket_id, member_id, attr, flags) VALUES ($1::int8, $2::text, $3::text, "
                        "$4::int8, $5::int8, $6::text, $7::text, $8::text, $9::text, $10::int8) "
                        "ON CONFLICT DO NOTHING",
    [ST_EVENT_BODY] = "SELECT body FROM events WHERE account_id = $1::int8 AND id = $2::text",
    [ST_COUNT_EVENTS] = "SELECT count(*) FROM events WHERE account_id = $1::int8",
    [ST_CONVERSATION_EVENTS] = "SELECT " FACT_COLUMNS " FROM events "
                               "WHERE account_id = $1::int8 AND conversation_id = $2::text",
    [ST_TICKET_EVENTS] = "SELECT " FACT_COLUMNS " FROM events "
                         "WHERE account_id = $1::int8 AND ticket_id = $2::text",
    [ST_EVENT_CONVERSATIONS] = "SELECT DISTINCT conversation_id, NULL::bytea FROM events "
                               "WHERE account_id = $1::int8",
    [ST_GET_CONVERSATION] = "SELECT state FROM conversations "
                            "WHERE account_id = $1::int8 AND id = $2::text",
    [ST_PUT_CONVERSATION] = "INSERT INTO conversations (account_id, id, state, quiet_at_us, "
                            "started_at_us) VALUES ($1::int8, $2::text, $3::bytea, $4::int8, "
                            "$5::int8) ON CONFLICT (account_id, id) DO UPDATE SET "
                            "state = excluded.state, quiet_at_us = excluded.quiet_at_us, "
                            "started_at_us = excluded.started_at_us",
    [ST_CONVERSATIONS_BY_START] =
        "SELECT id, state FROM conversations WHERE account_id = $1::int8 AND "
        "started_at_us >= $2::int8 AND started_at_us < $3::int8 AND ($5::text IS NULL OR "
        "started_at_us > $4::int8 OR (started_at_us = $4::int8 AND id COLLATE \"C\" > $5::text)) "
        "ORDER BY started_at_us, id COLLATE \"C\" LIMIT $6::int8",
    [ST_QUIET_CONVERSATIONS] = "SELECT id, state FROM conversations WHERE account_id = $1::int8 "
                               "AND quiet_at_us > $2::int8 AND quiet_at_us < $3::int8",
    /* One statement per batch: the cells arrive as parallel arrays sorted by
     * key, so two transactions adding to the same cells lock them in the same
     * order and never deadlock. */
    [ST_ADD_CELLS] = "INSERT INTO report_cells (account_id, kind, day, channel, dim, "
                     METRIC_COLUMNS ") SELECT $1::int8, * FROM unnest($2::int8[], $3::int8[], "
                     "$4::text[], $5::text[], " METRIC_ARRAYS ") "
                     "ON CONFLICT (account_id, kind, day, channel, dim) DO UPDATE SET "
                     METRIC_SUMS("report_cells"),
    [ST_ADD_PENDING_CELLS] = "INSERT INTO report_pending (account_id, quiet_hour, kind, day, "
                             "channel, dim, " METRIC_COLUMNS ") SELECT $1::int8, * FROM "
                             "unnest($20::int8[], $2::int8[], $3::int8[], $4::text[], "
                             "$5::text[], " METRIC_ARRAYS ") ON CONFLICT (account_id, "
                             "quiet_hour, kind, day, channel, dim) DO UPDATE SET "
                             METRIC_SUMS("report_pending"),
    [ST_SELECT_CELLS] = "SELECT 0::int8, kind, day, channel, dim, " METRIC_COLUMNS
                        " FROM report_cells WHERE account_id = $1::int8 AND kind = $2::int8 "
                        "AND day >= $3::int8 AND day < $4::int8 "
                        "AND ($5::text IS NULL OR channel = $5::text)",
    [ST_SELECT_PENDING_CELLS] = "SELECT quiet_hour, kind, day, channel, dim, " METRIC_COLUMNS
                                " FROM report_pending WHERE account_id = $1::int8 "
                                "AND quiet_hour > $6::int8 AND ($2::int8 < 0 OR kind = $2::int8) "
                                "AND day >= $3::int8 AND day < $4::int8 "
                                "AND ($5::text IS NULL OR channel = $5::text)",
    [ST_DELETE_CONVERSATIONS] = "DELETE FROM conversations WHERE account_id = $1::int8",
    [ST_DELETE_CELLS] = "DELETE FROM report_cells WHERE account_id = $1::int8",
    [ST_DELETE_PENDING_CELLS] = "DELETE FROM report_pending WHERE account_id = $1::int8",
    [ST_SET_REPORTS_STALE] = "UPDATE accounts SET reports_stale = $1::bool WHERE id = $2::int8",
    [ST_PUT_MEMBER] = "INSERT INTO members (account_id, id, name, name_at_us, name_event_id) "
                      "VALUES ($1::int8, $2::text, $3::text, $4::int8, $5::text) "
                      "ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, "
                      "name_at_us = excluded.name_at_us, name_event_id = excluded.name_event_id "
                      "WHERE excluded.name_at_us > members.name_at_us OR "
                      "(excluded.name_at_us = members.name_at_us AND "
                      "excluded.name_event_id COLLATE \"C\" > members.name_event_id)",
    [ST_MEMBERS] = "SELECT id, name FROM members WHERE account_id = $1::int8",
    [ST_RECORD_GAP_QUESTION] =
        "INSERT INTO gap_questions (account_id, id, event_id, conversation_id, at_us, text, "
        "language, embedding, channel) VALUES ($1::int8, (SELECT coalesce(max(id), 0) + 1 FROM "
        "gap_questions WHERE account_id = $1::int8), $2::text, $4::text, $5::int8, $6::text, "
        "$7::text, $8::bytea, " CHANNEL_OF("$4::text") ") ON CONFLICT DO NOTHING",
    [ST_UPDATE_GAP_CHANNELS] = "UPDATE gap_questions SET channel = " CHANNEL_OF("$2::text")
                               " WHERE account_id = $1::int8 AND conversation_id = $2::text "
                               "AND channel IS DISTINCT FROM " CHANNEL_OF("$2::text")
                               " RETURNING topic_id",
    [ST_GAP_GENERATION] = "SELECT coalesce((SELECT generation FROM gap_state WHERE "
                          "account_id = $1::int8), 0)",
    [ST_BUMP_GAP_GENERATION] = "INSERT INTO gap_state (account_id, generation) "
                               "VALUES ($1::int8, 1) ON CONFLICT (account_id) DO UPDATE SET "
                               "generation = gap_state.generation + 1",
    [ST_GAP_ASSIGNMENTS] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions WHERE "
                           "account_id = $1::int8 AND assign_seq > $2::int8 ORDER BY assign_seq",
    [ST_PENDING_GAP_QUESTIONS] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions WHERE "
                                 "account_id = $1::int8 AND topic_id IS NULL ORDER BY id "
                                 "LIMIT $2::int8",
    [ST_ASSIGN_GAP_QUESTION] = "UPDATE gap_questions SET topic_id = $3::int8, assign_seq = "
                               "$4::int8, stemmer = $5::text, similarity = $6::float8 "
                               "WHERE account_id = $1::int8 AND id = $2::int8",
    [ST_INSERT_GAP_TOPIC] = "INSERT INTO gap_topics (account_id, id, created_at_us) VALUES "
                            "($1::int8, (SELECT coalesce(max(id), 0) + 1 FROM gap_topics WHERE "
                            "account_id = $1::int8), $2::int8) RETURNING id",
    /* One page of topics with their figures over the selected questions (as
     * in sqlite.c); count(*) OVER () runs after HAVING. */
    [ST_SELECT_GAP_TOPICS] =
        "SELECT x.id, x.label, " GAP_LABEL_OF("x.id") ", x.dismissed, x.merged_into, x.answer_id, x.answered_at_us, x.created_at_us, "
        "x.conversations, x.questions, x.last_at_us, x.since_answer, x.status, x.total FROM ("
        "SELECT t.id, t.label, t.dismissed, t.merged_into, t.answer_id, t.answered_at_us, "
        "t.created_at_us, count(DISTINCT q.conversation_id) AS conversations, "
        "count(*) AS questions, max(q.at_us) AS last_at_us, " SINCE_ANSWER " AS since_answer, "
        GAP_STATUS_OF("t.dismissed", "t.answer_id", SINCE_ANSWER) " AS status, "
        "count(*) OVER () AS total "
        "FROM gap_topics t JOIN gap_questions q ON q.account_id = t.account_id AND "
        "q.topic_id = t.id WHERE t.account_id = $1::int8 AND t.merged_into IS NULL AND "
        "q.dismissed = 0 AND q.at_us >= $2::int8 AND q.at_us < $3::int8 AND "
        "($4::text IS NULL OR q.channel = $4::text) AND ($5::int8 = 0 OR t.id = $5::int8) "
        "GROUP BY t.account_id, t.id "
        "HAVING $6::int8 = -1 OR ($6::int8 = -2 AND "
        GAP_STATUS_OF("t.dismissed", "t.answer_id", SINCE_ANSWER) " <> 3) OR "
        GAP_STATUS_OF("t.dismissed", "t.answer_id", SINCE_ANSWER) " = $6::int8 "
        "ORDER BY CASE WHEN $7::int8 <> 0 THEN max(q.at_us) ELSE count(DISTINCT "
        "q.conversation_id) END DESC, max(q.at_us) DESC, t.id DESC LIMIT $8::int8 "
        "OFFSET $9::int8) x "
        "ORDER BY CASE WHEN $7::int8 <> 0 THEN x.last_at_us ELSE x.conversations END DESC, "
        "x.last_at_us DESC, x.id DESC",
    [ST_GET_GAP_TOPIC] = "SELECT id, label, NULL::text, dismissed, merged_into, answer_id, "
                         "answered_at_us, created_at_us, 0, 0, 0, 0, "
                         GAP_STATUS_OF("dismissed", "answer_id", "0") ", 1 FROM gap_topics "
                         "WHERE account_id = $1::int8 AND id = $2::int8",
    [ST_GAP_TOPIC_QUESTIONS] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions WHERE "
                               "account_id = $1::int8 AND topic_id = $2::int8 "
                               "ORDER BY at_us DESC, id DESC LIMIT $3::int8 OFFSET $4::int8",
    [ST_GAP_TOPIC_LATEST] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions WHERE "
                            "account_id = $1::int8 AND topic_id = $2::int8 AND dismissed = 0 "
                            "AND at_us >= $3::int8 AND at_us < $4::int8 AND ($5::text IS NULL "
                            "OR channel = $5::text) ORDER BY at_us DESC LIMIT $6::int8",
    [ST_GET_GAP_QUESTION] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions WHERE "
                            "account_id = $1::int8 AND id = $2::int8",
    [ST_RENAME_GAP_TOPIC] = "UPDATE gap_topics SET label = $3::text WHERE account_id = $1::int8 "
                            "AND id = $2::int8 AND merged_into IS NULL",
    [ST_SET_GAP_TOPIC_DISMISSED] = "UPDATE gap_topics SET dismissed = $3::int8 WHERE "
                                   "account_id = $1::int8 AND id = $2::int8 "
                                   "AND merged_into IS NULL",
    [ST_SET_GAP_QUESTION_DISMISSED] = "UPDATE gap_questions SET dismissed = $3::int8, pinned = 1 WHERE "
                                      "account_id = $1::int8 AND id = $2::int8",
    [ST_CURATE_GAP_QUESTION_DISMISSED] = "UPDATE gap_questions SET dismissed = $4::int8, "
                                         "pinned = 1 WHERE account_id = $1::int8 AND "
                                         "topic_id = $2::int8 AND id = $3::int8",
    [ST_MOVE_GAP_QUESTION] = "UPDATE gap_questions SET topic_id = $3::int8, pinned = 1 WHERE account_id = "
                             "$1::int8 AND id = $2::int8 AND topic_id IS NOT NULL",
    [ST_REGROUP_GAP_QUESTIONS] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions WHERE account_id = $1::int8 AND "
        "topic_id IS NOT NULL AND pinned = 0 AND dismissed = 0 AND topic_id IN (SELECT id FROM "
        "gap_topics WHERE account_id = $1::int8 AND label IS NULL AND dismissed = 0 AND "
        "merged_into IS NULL AND answer_id IS NULL) ORDER BY id",
    [ST_REGROUP_GAP_QUESTION] = "UPDATE gap_questions SET topic_id = $3::int8, similarity = "
                                "$4::float8 WHERE account_id = $1::int8 AND id = $2::int8",
    [ST_MERGE_GAP_QUESTIONS] = "UPDATE gap_questions SET topic_id = $3::int8, pinned = 1 WHERE account_id = "
                               "$1::int8 AND topic_id = $2::int8",
    [ST_MARK_GAP_TOPIC_MERGED] = "UPDATE gap_topics SET merged_into = $3::int8 WHERE "
                                 "account_id = $1::int8 AND id = $2::int8 "
                                 "AND merged_into IS NULL",
    [ST_SET_GAP_TOPIC_ANSWER] = "UPDATE gap_topics SET answer_id = $3::text, answered_at_us = "
                                "$4::int8 WHERE account_id = $1::int8 AND id = $2::int8 "
                                "AND merged_into IS NULL",
    [ST_CONVERSATION_BODIES] = "SELECT id, body FROM events WHERE account_id = $1::int8 "
                               "AND conversation_id = $2::text AND type = $3::int8 "
                               "ORDER BY at_us, id COLLATE \"C\"",
    /* The questions a transaction recorded, numbered in order after the
     * account's last (under the account's 'q' lock), in one statement. */
    [ST_RECORD_GAP_QUESTIONS] =
        "INSERT INTO gap_questions (account_id, id, event_id, conversation_id, at_us, text, "
        "language, embedding, channel) SELECT $1::int8, (SELECT coalesce(max(id), 0) FROM "
        "gap_questions WHERE account_id = $1::int8) + row_number() OVER (ORDER BY u.ord), "
        "u.event_id, u.conversation_id, u.at_us, u.text, u.language, u.embedding, "
        "(SELECT e.attr FROM events e WHERE e.account_id = $1::int8 AND e.conversation_id = "
        "u.conversation_id AND e.type = $2::int8 ORDER BY e.at_us, e.id COLLATE \"C\" LIMIT 1) "
        "FROM unnest($3::text[], $4::text[], $5::int8[], $6::text[], $7::text[], $8::bytea[]) "
        "WITH ORDINALITY AS u(event_id, conversation_id, at_us, text, language, embedding, ord) "
        "WHERE NOT EXISTS (SELECT 1 FROM gap_questions g WHERE g.account_id = $1::int8 AND "
        "g.event_id = u.event_id) ORDER BY u.ord ON CONFLICT DO NOTHING",
    [ST_UPDATE_GAP_CHANNELS_MANY] = "UPDATE gap_questions g SET channel = "
                                    CHANNEL_OF("g.conversation_id") " WHERE g.account_id = "
                                    "$1::int8 AND g.conversation_id = ANY($2::text[]) AND "
                                    "g.channel IS DISTINCT FROM "
                                    CHANNEL_OF("g.conversation_id") " RETURNING g.topic_id",
    [ST_ASSIGN_GAP_QUESTIONS] =
        "UPDATE gap_questions g SET topic_id = u.topic_id, assign_seq = u.seq, stemmer = "
        "u.stemmer, similarity = u.similarity FROM unnest($2::int8[], $3::int8[], $4::int8[], "
        "$5::text[], $6::float8[]) AS u(id, topic_id, seq, stemmer, similarity) "
        "WHERE g.account_id = $1::int8 AND g.id = u.id",
    [ST_GAP_FIGURES_BY_CONVERSATIONS] = GAP_FIGURES_PAGE(
        "($3::int8 = 0 OR f.topic_id = $3::int8)", "conversations DESC, last_at_us DESC, id DESC"),
    [ST_GAP_FIGURES_BY_LAST] = GAP_FIGURES_PAGE("($3::int8 = 0 OR f.topic_id = $3::int8)",
                                                "last_at_us DESC, id DESC"),
    [ST_GAP_FIGURES_OF_TOPIC] = GAP_FIGURES_PAGE("f.topic_id = $3::int8", "id"),
    /* The questions just assigned ($2) count in their topics' rows for all
     * channels and for their own (as in sqlite.c, for a whole batch): a
     * conversation is new to a topic when none of its undismissed questions
     * outside the batch is in it; the batch's most similar question (the
     * earliest of equals) becomes the label when it beats the topic's. */
    [ST_ADD_GAP_FIGURES] =
        "INSERT INTO gap_topic_figures AS f (account_id, topic_id, channel, conversations, "
        "questions, last_at_us, label_question_id, label_similarity) "
        "SELECT $1::int8, b.topic_id, c.channel, count(DISTINCT b.conversation_id) FILTER "
        "(WHERE b.new_conversation), count(*), max(b.at_us), CASE WHEN c.channel = '*' THEN "
        "(array_agg(b.id ORDER BY b.similarity DESC, b.id))[1] END, CASE WHEN c.channel = '*' "
        "THEN max(b.similarity) END FROM (SELECT q.id, q.topic_id, q.conversation_id, q.at_us, "
        "q.similarity, q.channel, NOT EXISTS (SELECT 1 FROM gap_questions o WHERE "
        "o.account_id = $1::int8 AND o.conversation_id = q.conversation_id AND o.topic_id = "
        "q.topic_id AND o.dismissed = 0 AND o.id <> ALL($2::int8[])) AS new_conversation "
        "FROM gap_questions q WHERE q.account_id = $1::int8 AND q.id = ANY($2::int8[]) AND "
        "q.topic_id IS NOT NULL AND q.dismissed = 0) b CROSS JOIN LATERAL (VALUES ('*'), "
        "(b.channel)) AS c(channel) WHERE c.channel IS NOT NULL GROUP BY b.topic_id, c.channel "
        "ON CONFLICT (account_id, topic_id, channel) DO UPDATE SET "
        "conversations = f.conversations + excluded.conversations, "
        "questions = f.questions + excluded.questions, "
        "last_at_us = greatest(f.last_at_us, excluded.last_at_us), label_question_id = CASE "
        "WHEN excluded.label_similarity > f.label_similarity THEN excluded.label_question_id "
        "ELSE f.label_question_id END, label_similarity = CASE WHEN excluded.label_similarity "
        "> f.label_similarity THEN excluded.label_similarity ELSE f.label_similarity END",
    /* A topic's rows computed anew from its questions (after a curation). */
    [ST_CLEAR_GAP_FIGURES] = "DELETE FROM gap_topic_figures WHERE account_id = $1::int8 AND "
                             "topic_id = $2::int8",
    [ST_FILL_GAP_FIGURES] =
        "INSERT INTO gap_topic_figures (account_id, topic_id, channel, conversations, "
        "questions, last_at_us) SELECT $1::int8, $2::int8, coalesce(channel, '*'), "
        "count(DISTINCT conversation_id), count(*), max(at_us) FROM gap_questions WHERE "
        "account_id = $1::int8 AND topic_id = $2::int8 AND dismissed = 0 "
        "GROUP BY GROUPING SETS ((), (channel)) HAVING count(*) > 0 AND "
        "(GROUPING(channel) = 1 OR channel IS NOT NULL)",
    [ST_LABEL_GAP_FIGURES] =
        "UPDATE gap_topic_figures SET (label_question_id, label_similarity) = (SELECT id, "
        "similarity FROM gap_questions WHERE account_id = $1::int8 AND topic_id = $2::int8 AND "
        "dismissed = 0 ORDER BY similarity DESC, id LIMIT 1) WHERE account_id = $1::int8 AND "
        "topic_id = $2::int8 AND channel = '*'",
    [ST_GAP_QUESTION_TOPIC] = "SELECT coalesce(topic_id, 0) FROM gap_questions WHERE "
                              "account_id = $1::int8 AND id = $2::int8",
    /* A batch of events in one statement; a later row with the id of an
     * earlier one conflicts with it and is skipped, like a second insert. */
    [ST_INSERT_EVENTS] = "INSERT INTO events (account_id, id, conversation_id, type, at_us, body, "
                         "ticket_id, member_id, attr, flags) SELECT $1::int8, * FROM "
                         "unnest($2::text[], $3::text[], $4::int8[], $5::int8[], $6::text[], "
                         "$7::text[], $8::text[], $9::text[], $10::int8[]) "
                         "ON CONFLICT DO NOTHING RETURNING id",
    [ST_TICKETS_EVENTS] = "SELECT " FACT_COLUMNS " FROM events WHERE account_id = $1::int8 "
                          "AND ticket_id = ANY($2::text[])",
    /* The batch's member names, one (the latest) per member. */
    [ST_PUT_MEMBERS] = "INSERT INTO members (account_id, id, name, name_at_us, name_event_id) "
                       "SELECT $1::int8, * FROM unnest($2::text[], $3::text[], $4::int8[], "
                       "$5::text[]) ON CONFLICT (account_id, id) DO UPDATE SET "
                       "name = excluded.name, name_at_us = excluded.name_at_us, "
                       "name_event_id = excluded.name_event_id "
                       "WHERE excluded.name_at_us > members.name_at_us OR "
                       "(excluded.name_at_us = members.name_at_us AND "
                       "excluded.name_event_id COLLATE \"C\" > members.name_event_id)",
    [ST_EVENT_BODIES] = "SELECT id, body FROM events WHERE account_id = $1::int8 "
                        "AND id = ANY($2::text[])",
    [ST_GET_CONVERSATIONS] = "SELECT id, state FROM conversations WHERE account_id = $1::int8 "
                             "AND id = ANY($2::text[])",
    [ST_PUT_CONVERSATIONS] = "INSERT INTO conversations (account_id, id, state, quiet_at_us, "
                             "started_at_us) SELECT * FROM unnest($1::int8[], $2::text[], "
                             "$3::bytea[], $4::int8[], $5::int8[]) ON CONFLICT (account_id, id) "
                             "DO UPDATE SET state = excluded.state, quiet_at_us = "
                             "excluded.quiet_at_us, started_at_us = excluded.started_at_us",
    [ST_LOCK_SHARED] = "SELECT pg_advisory_xact_lock_shared($1::int8)",
    [ST_LOCK_EXCLUSIVE] = "SELECT pg_advisory_xact_lock($1::int8)",
    /* The keys arrive sorted; a function scan returns them in array order. */
    [ST_LOCK_MANY] = "SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::int8[]) AS k",
    /* A taken id inserts nothing (after waiting for a concurrent insert of it
     * to commit or roll back): AP_EXISTS. */
    [ST_INSERT_ANSWER] = "INSERT INTO answers (account_id, " ANSWER_COLUMNS ") VALUES "
                         "($1::int8, $2::text, $3::text, $4::text, $5::int8, $6::text, $7::text, "
                         "$8::int8, $9::int8, $10::int8) ON CONFLICT DO NOTHING",
    [ST_UPDATE_ANSWER] = "UPDATE answers SET question = $3::text, alternatives = $4::text, "
                         "n_alternatives = $5::int8, answer = $6::text, language = $7::text, "
                         "enabled = $8::int8, updated_at_us = $9::int8 "
                         "WHERE account_id = $1::int8 AND id = $2::text",
    [ST_DELETE_ANSWER] = "DELETE FROM answers WHERE account_id = $1::int8 AND id = $2::text",
    [ST_GET_ANSWER] = "SELECT " ANSWER_COLUMNS " FROM answers WHERE account_id = $1::int8 "
                      "AND id = $2::text",
    /* LIMIT NULL (limit 0) is no limit. */
    [ST_SELECT_ANSWERS] = "SELECT " ANSWER_COLUMNS " FROM answers " ANSWER_FILTER
                          " ORDER BY created_at_us, id COLLATE \"C\" LIMIT $4::int8 "
                          "OFFSET $5::int8",
    [ST_COUNT_ANSWERS] = "SELECT count(*) FROM answers " ANSWER_FILTER,
    [ST_BUMP_ANSWERS] = "INSERT INTO answer_state (account_id, version) VALUES ($1::int8, 1) "
                        "ON CONFLICT (account_id) DO UPDATE SET "
                        "version = answer_state.version + 1",
    [ST_ANSWER_STATE] = "SELECT version, match_threshold FROM answer_state "
                        "WHERE account_id = $1::int8",
    [ST_SET_ANSWER_THRESHOLD] = "INSERT INTO answer_state (account_id, version, match_threshold) "
                                "VALUES ($1::int8, 0, $2::float8) ON CONFLICT (account_id) DO "
                                "UPDATE SET match_threshold = excluded.match_threshold",
    [ST_GET_CACHED_EMBEDDING] = "SELECT dims::int8, vector FROM embedding_cache WHERE "
                                "model = $1::text AND text_hash = $2::bytea",
    [ST_PUT_CACHED_EMBEDDING] = "INSERT INTO embedding_cache (model, text_hash, dims, vector, "
                                "created_at_us) VALUES ($1::text, $2::bytea, $3::int8, $4::bytea, "
                                "$5::int8) ON CONFLICT DO NOTHING",
    /* the questions without an embedding (partial index), then those of
     * another model; not yet assigned ones first */
    [ST_UNEMBEDDED_GAP_QUESTIONS] =
        "SELECT id, text, language, topic_id FROM (SELECT id, text, language, topic_id FROM "
        "gap_questions WHERE account_id = $1::int8 AND embedding IS NULL UNION ALL SELECT id, "
        "text, language, topic_id FROM gap_questions WHERE account_id = $1::int8 AND "
        "embedding_model IS NOT NULL AND embedding_model <> $2::text) u ORDER BY topic_id IS "
        "NOT NULL, id LIMIT $3::int8",
    [ST_MAX_GAP_QUESTION_ID] = "SELECT coalesce(max(id), 0)::int8 FROM gap_questions WHERE "
                               "account_id = $1::int8",
    [ST_SET_GAP_QUESTION_EMBEDDING] =
        "UPDATE gap_questions SET embedding = $3::bytea, embedding_model = $4::text WHERE "
        "account_id = $1::int8 AND id = $2::int8 AND (embedding IS NULL OR embedding_model IS "
        "NOT NULL) RETURNING topic_id",
};

/* Key of the advisory lock that serialises migrations of one database. */
#define MIGRATION_LOCK_KEY INT64_C(0x61676e7470657266) /* "agntperf" */

#define MAX_PARAMS 24 /* the most any statement takes: ST_ADD_PENDING_CELLS, 20 */
/* Type OIDs of the binary array elements (pg_type.h, stable since 7.x). */
#define INT8_OID 20
#define TEXT_OID 25
#define BYTEA_OID 17
#define FLOAT8_OID 701

/* Puts buffered before they are written in one statement; the cache of a
 * transaction is emptied past CONV_CACHE_MAX entries (a rebuild). */
#define CONV_FLUSH_AT 2000
/* Conversation and ticket locks one batch takes at most (see pg_lock_events). */
#define LOCK_KEYS_MAX 1000
#define CONV_CACHE_MAX 200000

/* A conversation state the transaction knows: read before (prefetched for the
 * batch it locked), or written by it and not yet sent (dirty). */
struct conv_entry {
    char *id; /* owned; NULL marks an empty slot */
    int64_t account_id;
    bool exists, dirty;
    int64_t quiet_at_us;
    int64_t started_at_us; /* AP_NOT_STARTED until its start is stored */
    void *state; /* owned */
    size_t len;
};

/* A one-dimensional array in PostgreSQL's binary format, built in a buffer. */
struct pg_array {
    struct ap_buf buf;
    uint32_t n;
    bool has_null;
};

/* Knowledge-gap writes of a transaction, sent in one statement each when
 * something reads gap_questions, and at commit: recorded questions (event id,
 * conversation, at, text, language, embedding), conversations whose
 * questions' channel is to be read again, and assignments (question, topic,
 * seq, stemmer, similarity). */
struct gap_writes {
    int64_t account_id;
    struct pg_array rec[6], asg[5], channels;
    size_t n_rec, n_asg, n_channels;
};

/* A row of a result, found by the text of one column. */
struct id_row {
    const char *id;
    int row;
};

/* The events of the tickets a batch names, read once after its events are
 * stored (handoffs look up their ticket's close, closes their handoffs). */
struct ticket_cache {
    int64_t account_id;
    char **tickets; /* sorted, owned */
    size_t n;
    PGresult *rows; /* FACT_COLUMNS of all their events, or NULL until read */
    struct id_row *by_ticket;
};

/* Member names of a transaction, the latest per member, written at commit. */
struct member_write {
    int64_t account_id;
    char *member_id, *name, *event_id;
    int64_t at_us;
};

struct conv_cache {
    struct conv_entry *slots;
    size_t cap, n, n_dirty;
    int64_t cleared_account; /* its conversations were deleted in this transaction, or -1 */
};

struct pg_store {
    struct ap_store base;
    PGconn *conn;
    char *url;
    bool in_txn;
    bool prepared[ST__COUNT];
    /* Advisory locks this transaction holds (sorted), so that a conversation
     * locked up front is not locked again for each read. */
    int64_t *locked;
    size_t n_locked, cap_locked;
    /* The account this transaction holds exclusively (a rebuild, or a batch
     * too large to lock conversation by conversation), or -1: no other lock
     * of that account is needed. */
    int64_t exclusive_account;
    struct conv_cache convs;
    struct gap_writes gaps;
    struct ticket_cache tickets;
    struct member_write *members;
    size_t n_members, cap_members;
};

static struct pg_store *from_base(struct ap_store *s)
{
    return (struct pg_store *)s;
}

/* ---- parameters and results ---------------------------------------------- */

/* Parameters of one statement, all in binary format. Text values are borrowed;
 * numbers are encoded into `scratch`. */
struct params {
    int n;
    const char *values[MAX_PARAMS];
    int lengths[MAX_PARAMS];
    int formats[MAX_PARAMS];
    char scratch[MAX_PARAMS][8];
};

static void put_be64(char *dst, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        dst[i] = (char)(v & 0xff);
}

static void put_be32(char *dst, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        dst[i] = (char)(v & 0xff);
}

/* A statement with more parameters than MAX_PARAMS is a programming error:
 * stop rather than write past the arrays. */
static void check_room(const struct params *p)
{
    if (p->n >= MAX_PARAMS) {
        fprintf(stderr, "agentperf: a PostgreSQL statement with more than %d parameters\n",
                MAX_PARAMS);
        abort();
    }
}

static void p_i64(struct params *p, int64_t v)
{
    check_room(p);
    put_be64(p->scratch[p->n], (uint64_t)v);
    p->values[p->n] = p->scratch[p->n];
    p->lengths[p->n] = 8;
    p->formats[p->n++] = 1;
}

static void p_bool(struct params *p, bool v)
{
    check_room(p);
    p->scratch[p->n][0] = v ? 1 : 0;
    p->values[p->n] = p->scratch[p->n];
    p->lengths[p->n] = 1;
    p->formats[p->n++] = 1;
}

static void p_f64(struct params *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    p_i64(p, (int64_t)bits);
}

/* Bytes (text or bytea); NULL data is SQL NULL. */
static void p_bytes(struct params *p, const void *data, size_t len)
{
    check_room(p);
    p->values[p->n] = data;
    p->lengths[p->n] = (int)len;
    p->formats[p->n++] = 1;
}

static void p_text(struct params *p, const char *s)
{
    p_bytes(p, s, s ? strlen(s) : 0);
}

static void p_null(struct params *p)
{
    p_bytes(p, NULL, 0);
}


/* PostgreSQL's own limit on one parameter's value: a longer array could not
 * be sent anyway, and the server answers the short one with an error. */
#define PG_PARAM_MAX ((size_t)1 << 30)

static void array_begin(struct pg_array *a, uint32_t elem_oid)
{
    char header[20];
    ap_buf_init(&a->buf, PG_PARAM_MAX);
    a->n = 0;
    a->has_null = false;
    put_be32(header, 1);         /* dimensions */
    put_be32(header + 4, 0);     /* no NULL elements */
    put_be32(header + 8, elem_oid);
    put_be32(header + 12, 0);    /* length, set by array_end */
    put_be32(header + 16, 1);    /* lower bound */
    ap_buf_append(&a->buf, header, sizeof header);
}

static void array_add(struct pg_array *a, const void *data, size_t len)
{
    char size[4];
    put_be32(size, (uint32_t)len);
    ap_buf_append(&a->buf, size, sizeof size);
    ap_buf_append(&a->buf, data, len);
    a->n++;
}

static void array_add_i64(struct pg_array *a, int64_t v)
{
    char be[8];
    put_be64(be, (uint64_t)v);
    array_add(a, be, sizeof be);
}

static void array_add_text(struct pg_array *a, const char *s)
{
    array_add(a, s, strlen(s));
}

/* Text or NULL. */
static void array_add_text_or_null(struct pg_array *a, const char *s)
{
    char size[4];
    if (s != NULL) {
        array_add_text(a, s);
        return;
    }
    put_be32(size, UINT32_MAX); /* length -1: NULL */
    ap_buf_append(&a->buf, size, sizeof size);
    a->n++;
    a->has_null = true;
}

static void array_end(struct pg_array *a, struct params *p)
{
    put_be32(a->buf.data + 4, a->has_null);
    put_be32(a->buf.data + 12, a->n);
    p_bytes(p, a->buf.data, a->buf.len);
}

/* An integer column of any width (bool, int2, int4, int8), NULL as 0. */
static int64_t col_i64(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, col);
    int len = PQgetlength(r, row, col);
    uint64_t x = len > 0 && (v[0] & 0x80) && len > 1 ? UINT64_MAX : 0;
    for (int i = 0; i < len && i < 8; i++)
        x = (x << 8) | v[i];
    return (int64_t)x;
}

static double col_f64(const PGresult *r, int row, int col)
{
    uint64_t bits = (uint64_t)col_i64(r, row, col);
    double v;
    memcpy(&v, &bits, sizeof v);
    return PQgetlength(r, row, col) == 8 ? v : 0.0;
}

/* A text column (binary text is the raw bytes, NUL-terminated by libpq). */
static const char *col_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static void copy_col(char *dst, size_t size, const PGresult *r, int row, int col)
{
    ap_copy_str(dst, size, col_text(r, row, col));
}

/* ---- errors and the connection -------------------------------------------- */

static bool sqlstate_is(const char *state, const char *prefix)
{
    return state && strncmp(state, prefix, strlen(prefix)) == 0;
}

/* Maps a failed result (or a connection failure when r is NULL) to a status:
 * lock trouble is the soft error, a lost or refusing server means the store is
 * unavailable (HTTP 503), anything else is a storage error. */
static enum ap_status pg_error(struct pg_store *s, const PGresult *r, struct ap_error *err)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : NULL;
    if (msg == NULL || msg[0] == '\0')
        msg = s->conn ? PQerrorMessage(s->conn) : "no connection";
    enum ap_status status = AP_STORAGE;
    if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK || sqlstate_is(state, "08") ||
        sqlstate_is(state, "57P") || sqlstate_is(state, "53"))
        status = AP_UNAVAILABLE;
    else if (sqlstate_is(state, "40001") || sqlstate_is(state, "40P01") ||
             sqlstate_is(state, "55P03"))
        status = AP_BUSY;
    int len = (int)strcspn(msg, "\n");
    return ap_error_set(err, status, "", "database: %.*s", len, msg);
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Connects (again). The URL's own settings win over these defaults: a bounded
 * connect time, a name in pg_stat_activity, UTF-8, and a lock wait that ends
 * in AP_BUSY rather than hanging a worker forever. */
static enum ap_status connect_db(struct pg_store *s, struct ap_error *err)
{
    static const char *const keys[] = {"connect_timeout", "fallback_application_name",
                                       "client_encoding", "options", "dbname", NULL};
    const char *values[] = {"5", "agentperf", "UTF8", "-c lock_timeout=30s", s->url, NULL};
    if (s->conn != NULL)
        PQfinish(s->conn);
    memset(s->prepared, 0, sizeof s->prepared);
    s->conn = PQconnectdbParams(keys, values, 1);
    if (s->conn == NULL)
        return ap_error_set(err, AP_UNAVAILABLE, "db", "cannot connect to the database");
    if (PQstatus(s->conn) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(s->conn);
        int len = (int)strcspn(msg, "\n");
        enum ap_status rc = ap_error_set(err, AP_UNAVAILABLE, "db",
                                         "cannot connect to the database: %.*s", len, msg);
        PQfinish(s->conn);
        s->conn = NULL;
        return rc;
    }
    PQsetNoticeProcessor(s->conn, ignore_notice, NULL);
    return AP_OK;
}

/* Makes sure there is a live connection before an operation. Inside a
 * transaction a lost connection is an error: the transaction is gone. */
static enum ap_status ensure_connected(struct pg_store *s, struct ap_error *err)
{
    if (s->conn != NULL && PQstatus(s->conn) == CONNECTION_OK)
        return AP_OK;
    if (s->in_txn)
        return ap_error_set(err, AP_UNAVAILABLE, "", "database: connection lost in a transaction");
    return connect_db(s, err);
}

static enum ap_status prepare(struct pg_store *s, enum stmt_id id, struct ap_error *err)
{
    char name[16];
    snprintf(name, sizeof name, "ap%d", (int)id);
    PGresult *r = PQprepare(s->conn, name, stmt_sql[id], 0, NULL);
    enum ap_status rc = AP_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_error(s, r, err);
    else
        s->prepared[id] = true;
    PQclear(r);
    return rc;
}

/* Prepares (once per connection) and runs a statement with binary results. */
static enum ap_status exec_prepared(struct pg_store *s, enum stmt_id id, const struct params *p,
                                    PGresult **out, struct ap_error *err)
{
    enum ap_status rc = s->prepared[id] ? AP_OK : prepare(s, id, err);
    if (rc != AP_OK)
        return rc;
    char name[16];
    snprintf(name, sizeof name, "ap%d", (int)id);
    PGresult *r = PQexecPrepared(s->conn, name, p ? p->n : 0, p ? p->values : NULL,
                                 p ? p->lengths : NULL, p ? p->formats : NULL, 1);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = pg_error(s, r, err);
        PQclear(r);
        return rc;
    }
    if (out)
        *out = r;
    else
        PQclear(r);
    return AP_OK;
}

/* Runs a statement. On success the caller owns *out (PQclear) when out is not
 * NULL. A connection found dead outside a transaction (the server restarted,
 * or ended an idle session) is opened again and the statement sent once more. */
static enum ap_status gaps_flush(struct pg_store *s, struct ap_error *err);
static void gaps_discard(struct gap_writes *g);

/* Statements that read or change gap_questions: buffered gap writes go first. */
static bool touches_gap_questions(enum stmt_id id)
{
    switch (id) {
    case ST_RECORD_GAP_QUESTION:
    case ST_UPDATE_GAP_CHANNELS:
    case ST_GAP_ASSIGNMENTS:
    case ST_PENDING_GAP_QUESTIONS:
    case ST_ASSIGN_GAP_QUESTION:
    case ST_SELECT_GAP_TOPICS:
    case ST_GAP_TOPIC_QUESTIONS:
    case ST_GAP_TOPIC_LATEST:
    case ST_GET_GAP_QUESTION:
    case ST_SET_GAP_QUESTION_DISMISSED:
    case ST_CURATE_GAP_QUESTION_DISMISSED:
    case ST_MOVE_GAP_QUESTION:
    case ST_UNEMBEDDED_GAP_QUESTIONS:
    case ST_SET_GAP_QUESTION_EMBEDDING:
    case ST_MAX_GAP_QUESTION_ID:
    case ST_REGROUP_GAP_QUESTIONS:
    case ST_REGROUP_GAP_QUESTION:
    case ST_MERGE_GAP_QUESTIONS:
    case ST_GAP_FIGURES_BY_CONVERSATIONS:
    case ST_GAP_FIGURES_BY_LAST:
    case ST_GAP_FIGURES_OF_TOPIC:
    case ST_GAP_QUESTION_TOPIC:
        return true;
    default:
        return false;
    }
}

static enum ap_status run(struct pg_store *s, enum stmt_id id, const struct params *p,
                          PGresult **out, struct ap_error *err)
{
    enum ap_status rc = ensure_connected(s, err);
    if (rc == AP_OK && s->gaps.n_rec + s->gaps.n_asg + s->gaps.n_channels > 0 &&
        touches_gap_questions(id))
        rc = gaps_flush(s, err);
    if (rc != AP_OK)
        return rc;
    rc = exec_prepared(s, id, p, out, err);
    if (rc == AP_UNAVAILABLE && !s->in_txn && PQstatus(s->conn) == CONNECTION_BAD &&
        connect_db(s, err) == AP_OK)
        rc = exec_prepared(s, id, p, out, err);
    return rc;
}

/* Runs a statement expected to return one row: AP_NOT_FOUND when it has none. */
static enum ap_status run_row(struct pg_store *s, enum stmt_id id, const struct params *p,
                              PGresult **out, struct ap_error *err)
{
    enum ap_status rc = run(s, id, p, out, err);
    if (rc == AP_OK && PQntuples(*out) == 0) {
        PQclear(*out);
        *out = NULL;
        return ap_error_set(err, AP_NOT_FOUND, "", NULL);
    }
    return rc;
}

/* Runs a statement and reports how many rows it changed. */
static enum ap_status run_changes(struct pg_store *s, enum stmt_id id, const struct params *p,
                                  long *changes, struct ap_error *err)
{
    PGresult *r;
    enum ap_status rc = run(s, id, p, &r, err);
    if (rc != AP_OK)
        return rc;
    *changes = strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return AP_OK;
}

/* Commands without parameters or results. */
enum command_id { CMD_BEGIN, CMD_COMMIT, CMD_ROLLBACK, CMD_CREATE_MIGRATIONS };

static const char *const command_sql[] = {
    [CMD_BEGIN] = "BEGIN ISOLATION LEVEL READ COMMITTED",
    [CMD_COMMIT] = "COMMIT",
    [CMD_ROLLBACK] = "ROLLBACK",
    [CMD_CREATE_MIGRATIONS] = ("CREATE TABLE IF NOT EXISTS schema_migrations (version integer "
                               "PRIMARY KEY, name text NOT NULL, applied_at_us bigint NOT NULL)"),
};

static enum ap_status run_command(struct pg_store *s, enum command_id id, struct ap_error *err)
{
    PGresult *r = PQexec(s->conn, command_sql[id]);
    enum ap_status rc = AP_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_error(s, r, err);
    PQclear(r);
    return rc;
}

/* ---- migrations ------------------------------------------------------------ */

static enum ap_status apply_migration(struct pg_store *s, const struct ap_migration *m,
                                      struct ap_error *err)
{
    char version[16];
    snprintf(version, sizeof version, "%d", m->version);
    const char *check_values[] = {version};
    PGresult *r = PQexecParams(s->conn, "SELECT 1 FROM schema_migrations WHERE version = $1::int4",
                               1, NULL, check_values, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        goto fail;
    bool applied = PQntuples(r) > 0;
    PQclear(r);
    if (applied)
        return AP_OK;
    r = PQexec(s->conn, m->sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        goto fail;
    PQclear(r);
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long)ap_time_now_us());
    const char *mark_values[] = {version, m->name, now};
    r = PQexecParams(s->conn,
                     "INSERT INTO schema_migrations (version, name, applied_at_us) "
                     "VALUES ($1::int4, $2::text, $3::int8)",
                     3, NULL, mark_values, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        goto fail;
    PQclear(r);
    return AP_OK;
fail:;
    struct ap_error cause;
    enum ap_status rc = pg_error(s, r, &cause);
    PQclear(r);
    return ap_error_set(err, rc, "db", "database migration %s failed: %s", m->name,
                        cause.message);
}

/* Every migration runs in one transaction under an advisory lock, so nodes
 * that start together apply each migration once (DDL is transactional). */
static enum ap_status run_migrations(struct pg_store *s, struct ap_error *err)
{
    enum ap_status rc = run_command(s, CMD_BEGIN, err);
    if (rc != AP_OK)
        return rc;
    s->in_txn = true;
    struct params p = {0};
    p_i64(&p, MIGRATION_LOCK_KEY);
    rc = run(s, ST_LOCK_EXCLUSIVE, &p, NULL, err);
    if (rc == AP_OK)
        rc = run_command(s, CMD_CREATE_MIGRATIONS, err);
    for (size_t i = 0; i < ap_pg_migration_count && rc == AP_OK; i++)
        rc = apply_migration(s, &ap_pg_migrations[i], err);
    if (rc == AP_OK)
        rc = run_command(s, CMD_COMMIT, err);
    else
        run_command(s, CMD_ROLLBACK, NULL);
    s->in_txn = false;
    return rc;
}

/* ---- the transaction's conversation states --------------------------------------- */

static uint64_t conv_hash(int64_t account_id, const char *id)
{
    uint64_t h = UINT64_C(14695981039346656037) ^ (uint64_t)account_id;
    for (const unsigned char *c = (const unsigned char *)id; *c; c++)
        h = (h ^ *c) * UINT64_C(1099511628211);
    return h;
}

/* The slot of (account, id): its entry, or the empty slot where it belongs. */
static struct conv_entry *conv_slot(struct conv_cache *c, int64_t account_id, const char *id)
{
    size_t i = conv_hash(account_id, id) & (c->cap - 1);
    while (c->slots[i].id != NULL &&
           (c->slots[i].account_id != account_id || strcmp(c->slots[i].id, id) != 0))
        i = (i + 1) & (c->cap - 1);
    return &c->slots[i];
}

static struct conv_entry *conv_find(struct conv_cache *c, int64_t account_id, const char *id)
{
    if (c->n == 0)
        return NULL;
    struct conv_entry *e = conv_slot(c, account_id, id);
    return e->id ? e : NULL;
}

static void conv_clear(struct conv_cache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->slots[i].id);
        free(c->slots[i].state);
    }
    free(c->slots);
    memset(c, 0, sizeof *c);
    c->cleared_account = -1;
}

/* The entry of (account, id), created empty (not existing) when absent. */
static struct conv_entry *conv_get(struct conv_cache *c, int64_t account_id, const char *id)
{
    if (2 * (c->n + 1) > c->cap) {
        struct conv_cache bigger = {0};
        bigger.cap = c->cap ? 2 * c->cap : 1024;
        bigger.slots = ap_calloc(bigger.cap, sizeof *bigger.slots);
        for (size_t i = 0; i < c->cap; i++)
            if (c->slots[i].id != NULL)
                *conv_slot(&bigger, c->slots[i].account_id, c->slots[i].id) = c->slots[i];
        free(c->slots);
        c->slots = bigger.slots;
        c->cap = bigger.cap;
    }
    struct conv_entry *e = conv_slot(c, account_id, id);
    if (e->id == NULL) {
        e->id = ap_strdup(id);
        e->account_id = account_id;
        c->n++;
    }
    return e;
}

static void conv_set(struct conv_entry *e, const void *state, size_t len)
{
    free(e->state);
    e->state = ap_malloc(len ? len : 1);
    memcpy(e->state, state, len);
    e->len = len;
    e->exists = true;
}

/* Writes every dirty state in one statement. */
static enum ap_status conv_flush(struct pg_store *s, struct ap_error *err)
{
    struct conv_cache *c = &s->convs;
    if (c->n_dirty == 0)
        return AP_OK;
    struct pg_array a[5];
    static const uint32_t oids[5] = {INT8_OID, TEXT_OID, BYTEA_OID, INT8_OID, INT8_OID};
    for (int k = 0; k < 5; k++)
        array_begin(&a[k], oids[k]);
    for (size_t i = 0; i < c->cap; i++) {
        struct conv_entry *e = &c->slots[i];
        if (e->id == NULL || !e->dirty)
            continue;
        array_add_i64(&a[0], e->account_id);
        array_add_text(&a[1], e->id);
        array_add(&a[2], e->state, e->len);
        if (e->quiet_at_us >= 0)
            array_add_i64(&a[3], e->quiet_at_us);
        else
            array_add_text_or_null(&a[3], NULL);
        if (e->started_at_us != AP_NOT_STARTED)
            array_add_i64(&a[4], e->started_at_us);
        else
            array_add_text_or_null(&a[4], NULL);
        e->dirty = false;
    }
    struct params p = {0};
    for (int k = 0; k < 5; k++)
        array_end(&a[k], &p);
    enum ap_status rc = run(s, ST_PUT_CONVERSATIONS, &p, NULL, err);
    for (int k = 0; k < 5; k++)
        ap_buf_free(&a[k].buf);
    c->n_dirty = 0;
    return rc;
}

/* Reads the states of the batch's conversations, locked just before, in one
 * statement; those without a row are remembered as absent. */
static enum ap_status conv_prefetch(struct pg_store *s, int64_t account_id,
                                    const struct ap_event *events, size_t n,
                                    struct ap_error *err)
{
    struct pg_array ids;
    array_begin(&ids, TEXT_OID);
    for (size_t i = 0; i < n; i++) {
        if (conv_find(&s->convs, account_id, events[i].conversation_id) != NULL)
            continue;
        conv_get(&s->convs, account_id, events[i].conversation_id); /* absent until found */
        array_add_text(&ids, events[i].conversation_id);
    }
    struct params p = {0};
    PGresult *r = NULL;
    p_i64(&p, account_id);
    array_end(&ids, &p);
    enum ap_status rc = ids.n ? run(s, ST_GET_CONVERSATIONS, &p, &r, err) : AP_OK;
    for (int i = 0; rc == AP_OK && r && i < PQntuples(r); i++)
        conv_set(conv_get(&s->convs, account_id, col_text(r, i, 0)), PQgetvalue(r, i, 1),
                 (size_t)PQgetlength(r, i, 1));
    PQclear(r);
    ap_buf_free(&ids.buf);
    return rc;
}

static int compare_id_rows(const void *a, const void *b)
{
    return strcmp(((const struct id_row *)a)->id, ((const struct id_row *)b)->id);
}

/* A result's rows sorted by their first column (strings borrowed from r). */
static struct id_row *sorted_by_column(const PGresult *r, int col)
{
    int n = PQntuples(r);
    struct id_row *ids = ap_calloc((size_t)n + 1, sizeof *ids);
    for (int i = 0; i < n; i++)
        ids[i] = (struct id_row){PQgetvalue(r, i, col), i};
    qsort(ids, (size_t)n, sizeof *ids, compare_id_rows);
    return ids;
}

static struct id_row *sorted_ids(const PGresult *r)
{
    return sorted_by_column(r, 0);
}

static const struct id_row *find_id(const struct id_row *ids, const PGresult *r, const char *id)
{
    struct id_row key = {id, 0};
    return bsearch(&key, ids, (size_t)PQntuples(r), sizeof *ids, compare_id_rows);
}

/* ---- the batch's tickets ----------------------------------------------------------- */

static void tickets_forget_rows(struct ticket_cache *t)
{
    PQclear(t->rows);
    t->rows = NULL;
    free(t->by_ticket);
    t->by_ticket = NULL;
}

static void tickets_clear(struct ticket_cache *t)
{
    tickets_forget_rows(t);
    for (size_t i = 0; i < t->n; i++)
        free(t->tickets[i]);
    free(t->tickets);
    t->tickets = NULL;
    t->n = 0;
}

static int compare_strs(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void tickets_note(struct ticket_cache *t, int64_t account_id,
                         const struct ap_event *events, size_t n)
{
    tickets_clear(t);
    t->account_id = account_id;
    t->tickets = ap_calloc(n + 1, sizeof *t->tickets);
    for (size_t i = 0; i < n; i++)
        if (events[i].ticket_id)
            t->tickets[t->n++] = ap_strdup(events[i].ticket_id);
    qsort(t->tickets, t->n, sizeof *t->tickets, compare_strs);
    size_t unique = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (unique > 0 && strcmp(t->tickets[i], t->tickets[unique - 1]) == 0)
            free(t->tickets[i]);
        else
            t->tickets[unique++] = t->tickets[i];
    }
    t->n = unique;
}

static bool tickets_has(const struct ticket_cache *t, int64_t account_id, const char *ticket)
{
    return t->n > 0 && t->account_id == account_id &&
           bsearch(&ticket, t->tickets, t->n, sizeof *t->tickets, compare_strs) != NULL;
}

/* Reads the events of every ticket of the batch in one statement. */
static enum ap_status tickets_load(struct pg_store *s, struct ap_error *err)
{
    struct ticket_cache *t = &s->tickets;
    struct pg_array names;
    struct params p = {0};
    array_begin(&names, TEXT_OID);
    for (size_t i = 0; i < t->n; i++)
        array_add_text(&names, t->tickets[i]);
    p_i64(&p, t->account_id);
    array_end(&names, &p);
    enum ap_status rc = run(s, ST_TICKETS_EVENTS, &p, &t->rows, err);
    ap_buf_free(&names.buf);
    if (rc != AP_OK) {
        t->rows = NULL;
        return rc;
    }
    t->by_ticket = sorted_by_column(t->rows, 7);
    return AP_OK;
}

/* Hands fn the cached events of one ticket. */
static enum ap_status tickets_each(const struct ticket_cache *t, const char *ticket,
                                   ap_event_fn fn, void *ctx)
{
    size_t n = (size_t)PQntuples(t->rows), lo = 0, hi = n;
    while (lo < hi) { /* the first row whose ticket is >= ticket */
        size_t mid = (lo + hi) / 2;
        if (strcmp(t->by_ticket[mid].id, ticket) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    enum ap_status rc = AP_OK;
    for (size_t i = lo; rc == AP_OK && i < n && strcmp(t->by_ticket[i].id, ticket) == 0; i++) {
        const PGresult *r = t->rows;
        int row = t->by_ticket[i].row;
        struct ap_event ev;
        ap_event_from_facts(&ev, col_text(r, row, 0), (enum ap_event_type)col_i64(r, row, 1),
                            col_i64(r, row, 2), col_text(r, row, 3), (int)col_i64(r, row, 4),
                            col_text(r, row, 5), col_text(r, row, 6), col_text(r, row, 7));
        rc = fn(ctx, &ev);
    }
    return rc;
}

/* ---- member names ----------------------------------------------------------------- */

static void members_clear(struct pg_store *s)
{
    for (size_t i = 0; i < s->n_members; i++) {
        free(s->members[i].member_id);
        free(s->members[i].name);
        free(s->members[i].event_id);
    }
    s->n_members = 0;
}

/* Keeps the latest name by (at, event id) per member, like the upsert does. */
static void members_add(struct pg_store *s, int64_t account_id, const char *member_id,
                        const char *name, int64_t at_us, const char *event_id)
{
    for (size_t i = 0; i < s->n_members; i++) {
        struct member_write *m = &s->members[i];
        if (m->account_id != account_id || strcmp(m->member_id, member_id) != 0)
            continue;
        if (at_us > m->at_us || (at_us == m->at_us && strcmp(event_id, m->event_id) > 0)) {
            free(m->name);
            free(m->event_id);
            m->name = ap_strdup(name);
            m->event_id = ap_strdup(event_id);
            m->at_us = at_us;
        }
        return;
    }
    if (s->n_members == s->cap_members) {
        s->cap_members = s->cap_members ? 2 * s->cap_members : 16;
        s->members = ap_realloc(s->members, s->cap_members * sizeof *s->members);
    }
    s->members[s->n_members++] = (struct member_write){account_id, ap_strdup(member_id),
                                                       ap_strdup(name), ap_strdup(event_id),
                                                       at_us};
}

/* Writes the buffered names, one statement per account. */
static enum ap_status members_flush(struct pg_store *s, struct ap_error *err)
{
    enum ap_status rc = AP_OK;
    while (rc == AP_OK && s->n_members > 0) {
        int64_t account_id = s->members[0].account_id;
        struct pg_array a[4];
        static const uint32_t oids[4] = {TEXT_OID, TEXT_OID, INT8_OID, TEXT_OID};
        for (int k = 0; k < 4; k++)
            array_begin(&a[k], oids[k]);
        size_t kept = 0;
        for (size_t i = 0; i < s->n_members; i++) {
            struct member_write *m = &s->members[i];
            if (m->account_id != account_id) {
                s->members[kept++] = *m;
                continue;
            }
            array_add_text(&a[0], m->member_id);
            array_add_text(&a[1], m->name);
            array_add_i64(&a[2], m->at_us);
            array_add_text(&a[3], m->event_id);
            free(m->member_id);
            free(m->name);
            free(m->event_id);
        }
        s->n_members = kept;
        struct params p = {0};
        p_i64(&p, account_id);
        for (int k = 0; k < 4; k++)
            array_end(&a[k], &p);
        rc = run(s, ST_PUT_MEMBERS, &p, NULL, err);
        for (int k = 0; k < 4; k++)
            ap_buf_free(&a[k].buf);
    }
    return rc;
}

/* ---- transactions and locks -------------------------------------------------- */

/* The end of a transaction: its locks are gone, and so is what it knew. */
static void forget_locks(struct pg_store *s)
{
    s->n_locked = 0;
    s->exclusive_account = -1;
    conv_clear(&s->convs);
    gaps_discard(&s->gaps);
    tickets_clear(&s->tickets);
    members_clear(s);
}

static void pg_destroy(struct ap_store *base)
{
    struct pg_store *s = from_base(base);
    if (s == NULL)
        return;
    if (s->conn)
        PQfinish(s->conn);
    forget_locks(s);
    free(s->members);
    free(s->locked);
    free(s->url);
    free(s);
}

static enum ap_status pg_begin(struct ap_store *base, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    enum ap_status rc = ensure_connected(s, err);
    if (rc == AP_OK)
        rc = run_command(s, CMD_BEGIN, err);
    /* Nothing was done yet: a connection found dead here is replaced. */
    if (rc == AP_UNAVAILABLE && s->conn && PQstatus(s->conn) == CONNECTION_BAD &&
        (rc = connect_db(s, err)) == AP_OK)
        rc = run_command(s, CMD_BEGIN, err);
    s->in_txn = rc == AP_OK;
    forget_locks(s);
    return rc;
}

static enum ap_status pg_commit(struct ap_store *base, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    enum ap_status rc = s->conn ? gaps_flush(s, err)
                                : ap_error_set(err, AP_UNAVAILABLE, "", "database: no connection");
    if (rc == AP_OK)
        rc = conv_flush(s, err);
    if (rc == AP_OK)
        rc = members_flush(s, err);
    if (rc == AP_OK)
        rc = run_command(s, CMD_COMMIT, err);
    else if (s->conn)
        run_command(s, CMD_ROLLBACK, NULL);
    s->in_txn = false;
    forget_locks(s);
    return rc;
}

static void pg_rollback(struct ap_store *base)
{
    struct pg_store *s = from_base(base);
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK &&
        PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        run_command(s, CMD_ROLLBACK, NULL);
    s->in_txn = false;
    forget_locks(s);
}

/* 64-bit FNV-1a over (account, kind, name): the key of one advisory lock. A
 * collision only makes two unrelated writers wait for each other. */
static int64_t lock_key(int64_t account_id, char kind, const char *name)
{
    uint64_t h = UINT64_C(14695981039346656037);
    unsigned char bytes[9];
    put_be64((char *)bytes, (uint64_t)account_id);
    bytes[8] = (unsigned char)kind;
    for (size_t i = 0; i < sizeof bytes; i++)
        h = (h ^ bytes[i]) * UINT64_C(1099511628211);
    for (const unsigned char *c = (const unsigned char *)name; c && *c; c++)
        h = (h ^ *c) * UINT64_C(1099511628211);
    return (int64_t)h;
}

static int compare_keys(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static bool holds_lock(const struct pg_store *s, int64_t key)
{
    return s->n_locked &&
           bsearch(&key, s->locked, s->n_locked, sizeof key, compare_keys) != NULL;
}

static void note_locks(struct pg_store *s, const int64_t *keys, size_t n)
{
    if (s->n_locked + n > s->cap_locked) {
        s->cap_locked = 2 * (s->n_locked + n);
        s->locked = ap_realloc(s->locked, s->cap_locked * sizeof *s->locked);
    }
    memcpy(s->locked + s->n_locked, keys, n * sizeof *keys);
    s->n_locked += n;
    qsort(s->locked, s->n_locked, sizeof *s->locked, compare_keys);
}

/* Takes the account exclusively; every other lock of the account is implied. */
static enum ap_status lock_account_exclusive(struct pg_store *s, int64_t account_id,
                                             struct ap_error *err)
{
    if (s->exclusive_account == account_id || !s->in_txn)
        return AP_OK;
    struct params p = {0};
    p_i64(&p, lock_key(account_id, 'a', ""));
    enum ap_status rc = run(s, ST_LOCK_EXCLUSIVE, &p, NULL, err);
    if (rc == AP_OK)
        s->exclusive_account = account_id;
    return rc;
}

/* Takes the account shared (a rebuild takes it exclusively), then every
 * conversation and ticket of the batch in key order, so that two batches
 * never wait for each other in a cycle. A batch with more than LOCK_KEYS_MAX
 * of them (a bulk import) takes the account exclusively instead: the server's
 * lock table holds max_locks_per_transaction (64) x max_connections locks in
 * all, and writers of one account gain nothing from fine locks on a batch
 * that size. */
static enum ap_status pg_lock_events(struct ap_store *base, int64_t account_id,
                                     const struct ap_event *events, size_t n, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    struct params p = {0};
    size_t k = 0;
    int64_t *keys = ap_calloc(2 * n + 1, sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        keys[k++] = lock_key(account_id, 'c', events[i].conversation_id);
        if (events[i].ticket_id)
            keys[k++] = lock_key(account_id, 't', events[i].ticket_id);
    }
    qsort(keys, k, sizeof *keys, compare_keys);
    size_t unique = 0;
    for (size_t i = 0; i < k; i++)
        if (unique == 0 || keys[i] != keys[unique - 1])
            keys[unique++] = keys[i];
    enum ap_status rc;
    if (unique > LOCK_KEYS_MAX || s->exclusive_account == account_id) {
        free(keys);
        rc = lock_account_exclusive(s, account_id, err);
        if (rc == AP_OK && s->in_txn) {
            tickets_note(&s->tickets, account_id, events, n);
            rc = conv_prefetch(s, account_id, events, n, err);
        }
        return rc;
    }
    p_i64(&p, lock_key(account_id, 'a', ""));
    rc = run(s, ST_LOCK_SHARED, &p, NULL, err);
    if (rc != AP_OK || n == 0) {
        free(keys);
        return rc;
    }
    struct pg_array a;
    array_begin(&a, INT8_OID);
    for (size_t i = 0; i < unique; i++)
        array_add_i64(&a, keys[i]);
    p = (struct params){0};
    array_end(&a, &p);
    rc = run(s, ST_LOCK_MANY, &p, NULL, err);
    if (rc == AP_OK)
        note_locks(s, keys, unique);
    ap_buf_free(&a.buf);
    free(keys);
    if (rc == AP_OK && s->in_txn) {
        tickets_note(&s->tickets, account_id, events, n);
        rc = conv_prefetch(s, account_id, events, n, err);
    }
    return rc;
}

/* Takes one transaction-scoped advisory lock exclusively and notes it as held. */
static enum ap_status lock_exclusive(struct pg_store *s, int64_t key, struct ap_error *err)
{
    struct params p = {0};
    p_i64(&p, key);
    enum ap_status rc = run(s, ST_LOCK_EXCLUSIVE, &p, NULL, err);
    if (rc == AP_OK)
        note_locks(s, &key, 1);
    return rc;
}

/* Locks one conversation before its state is read, unless this transaction
 * already holds it. Outside a transaction the lock would end with the
 * statement, so reads there take none. */
static enum ap_status lock_conversation(struct pg_store *s, int64_t account_id,
                                        const char *conversation_id, struct ap_error *err)
{
    int64_t key = lock_key(account_id, 'c', conversation_id);
    if (!s->in_txn || s->exclusive_account == account_id || holds_lock(s, key))
        return AP_OK;
    return lock_exclusive(s, key, err);
}

static enum ap_status pg_ping(struct ap_store *base, struct ap_error *err)
{
    return run(from_base(base), ST_PING, NULL, NULL, err);
}

static enum ap_status pg_schema_version(struct ap_store *base, int *version, struct ap_error *err)
{
    PGresult *r;
    enum ap_status rc = run_row(from_base(base), ST_SCHEMA_VERSION, NULL, &r, err);
    if (rc != AP_OK)
        return rc;
    *version = (int)col_i64(r, 0, 0);
    PQclear(r);
    return AP_OK;
}

/* ---- accounts and tokens ---------------------------------------------------- */

static void read_account(const PGresult *r, int row, struct ap_account *a)
{
    memset(a, 0, sizeof *a);
    a->id = col_i64(r, row, 0);
    copy_col(a->name, sizeof a->name, r, row, 1);
    copy_col(a->time_zone, sizeof a->time_zone, r, row, 2);
    a->inactivity_hours = (int)col_i64(r, row, 3);
    copy_col(a->conversation_url, sizeof a->conversation_url, r, row, 4);
    copy_col(a->ticket_url, sizeof a->ticket_url, r, row, 5);
    a->created_at_us = col_i64(r, row, 6);
    a->reports_stale = col_i64(r, row, 7) != 0;
    copy_col(a->default_language, sizeof a->default_language, r, row, 8);
    a->embeddings = col_i64(r, row, 9) != 0;
}

static enum ap_status pg_insert_account(struct ap_store *base, struct ap_account *a,
                                        struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_text(&p, a->name);
    p_text(&p, a->time_zone);
    p_i64(&p, a->inactivity_hours);
    p_text(&p, a->conversation_url);
    p_text(&p, a->ticket_url);
    p_i64(&p, a->created_at_us);
    p_text(&p, a->default_language);
    p_i64(&p, a->embeddings);
    enum ap_status rc = run_row(from_base(base), ST_INSERT_ACCOUNT, &p, &r, err);
    if (rc == AP_NOT_FOUND)
        return ap_error_set(err, AP_EXISTS, "name", "an account named \"%s\" already exists",
                            a->name);
    if (rc != AP_OK)
        return rc;
    a->id = col_i64(r, 0, 0);
    PQclear(r);
    return AP_OK;
}

static enum ap_status pg_update_account(struct ap_store *base, const struct ap_account *a,
                                        struct ap_error *err)
{
    struct params p = {0};
    long changes;
    p_text(&p, a->time_zone);
    p_i64(&p, a->inactivity_hours);
    p_text(&p, a->conversation_url);
    p_text(&p, a->ticket_url);
    p_i64(&p, a->id);
    p_text(&p, a->default_language);
    p_i64(&p, a->embeddings);
    enum ap_status rc = run_changes(from_base(base), ST_UPDATE_ACCOUNT, &p, &changes, err);
    if (rc == AP_OK && changes == 0)
        return ap_error_set(err, AP_NOT_FOUND, "account", "no such account");
    return rc;
}

static enum ap_status get_account_row(struct pg_store *s, enum stmt_id id,
                                      const struct params *p, struct ap_account *out,
                                      struct ap_error *err)
{
    PGresult *r;
    enum ap_status rc = run_row(s, id, p, &r, err);
    if (rc != AP_OK)
        return rc;
    read_account(r, 0, out);
    PQclear(r);
    return AP_OK;
}

static enum ap_status pg_get_account_by_name(struct ap_store *base, const char *name,
                                             struct ap_account *out, struct ap_error *err)
{
    struct params p = {0};
    p_text(&p, name);
    enum ap_status rc = get_account_row(from_base(base), ST_ACCOUNT_BY_NAME, &p, out, err);
    if (rc == AP_NOT_FOUND)
        ap_error_set(err, AP_NOT_FOUND, "account", "no account named \"%.64s\"", name);
    return rc;
}

static enum ap_status pg_get_account(struct ap_store *base, int64_t id, struct ap_account *out,
                                     struct ap_error *err)
{
    struct params p = {0};
    p_i64(&p, id);
    return get_account_row(from_base(base), ST_ACCOUNT_BY_ID, &p, out, err);
}

static enum ap_status pg_select_accounts(struct ap_store *base, ap_account_fn fn, void *ctx,
                                         struct ap_error *err)
{
    PGresult *r;
    enum ap_status rc = run(from_base(base), ST_ACCOUNTS, NULL, &r, err);
    if (rc != AP_OK)
        return rc;
    for (int i = 0; rc == AP_OK && i < PQntuples(r); i++) {
        struct ap_account a;
        read_account(r, i, &a);
        rc = fn(ctx, &a);
    }
    PQclear(r);
    return rc;
}

static void read_token(const PGresult *r, int row, struct ap_token *t)
{
    memset(t, 0, sizeof *t);
    t->account_id = col_i64(r, row, 0);
    t->id = col_i64(r, row, 1);
    ap_role_parse(col_text(r, row, 2), &t->role);
    if (PQgetlength(r, row, 3) == AP_TOKEN_HASH_SIZE)
        memcpy(t->hash, PQgetvalue(r, row, 3), AP_TOKEN_HASH_SIZE);
    copy_col(t->label, sizeof t->label, r, row, 4);
    t->created_at_us = col_i64(r, row, 5);
    t->revoked_at_us = col_i64(r, row, 6);
}

static enum ap_status pg_insert_token(struct ap_store *base, struct ap_token *t,
                                      struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, t->account_id);
    p_text(&p, ap_role_name(t->role));
    p_bytes(&p, t->hash, AP_TOKEN_HASH_SIZE);
    p_text(&p, t->label);
    p_i64(&p, t->created_at_us);
    enum ap_status rc = run_row(from_base(base), ST_INSERT_TOKEN, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    t->id = col_i64(r, 0, 0);
    PQclear(r);
    return AP_OK;
}

static enum ap_status pg_get_token_by_hash(struct ap_store *base,
                                           const uint8_t hash[AP_TOKEN_HASH_SIZE],
                                           struct ap_token *out, struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_bytes(&p, hash, AP_TOKEN_HASH_SIZE);
    enum ap_status rc = run_row(from_base(base), ST_TOKEN_BY_HASH, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    read_token(r, 0, out);
    PQclear(r);
    return AP_OK;
}

static enum ap_status pg_select_tokens(struct ap_store *base, int64_t account_id, ap_token_fn fn,
                                       void *ctx, struct ap_error *err)
{
    struct params p = {0};
    PGresult *r = NULL;
    p_i64(&p, account_id);
    enum ap_status rc = run(from_base(base), ST_TOKENS, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    for (int i = 0; rc == AP_OK && i < PQntuples(r); i++) {
        struct ap_token t;
        read_token(r, i, &t);
        rc = fn(ctx, &t);
    }
    PQclear(r);
    return rc;
}

static enum ap_status pg_revoke_token(struct ap_store *base, int64_t account_id, int64_t token_id,
                                      int64_t now_us, struct ap_error *err)
{
    struct params p = {0};
    long changes;
    p_i64(&p, now_us);
    p_i64(&p, account_id);
    p_i64(&p, token_id);
    enum ap_status rc = run_changes(from_base(base), ST_REVOKE_TOKEN, &p, &changes, err);
    if (rc == AP_OK && changes == 0)
        return ap_error_set(err, AP_NOT_FOUND, "token", "no token %lld in this account",
                            (long long)token_id);
    return rc;
}

/* ---- events ------------------------------------------------------------------ */

/* Compares the stored body with the new canonical form when the id exists. */
static enum ap_status compare_existing(struct pg_store *s, int64_t account_id,
                                       const struct ap_event *ev, enum ap_verdict *verdict,
                                       struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    p_text(&p, ev->id);
    enum ap_status rc = run_row(s, ST_EVENT_BODY, &p, &r, err);
    if (rc != AP_OK)
        return rc == AP_NOT_FOUND ? ap_error_set(err, AP_STORAGE, "", "event vanished") : rc;
    size_t len = (size_t)PQgetlength(r, 0, 0);
    bool same = len == ev->canonical_len && memcmp(PQgetvalue(r, 0, 0), ev->canonical, len) == 0;
    PQclear(r);
    *verdict = same ? AP_VERDICT_DUPLICATE : AP_VERDICT_CONFLICT;
    return AP_OK;
}

/* The same id stored by another node at the same moment waits on the unique
 * index for that transaction, then finds the row: a duplicate or conflict. */
static enum ap_status pg_insert_event(struct ap_store *base, int64_t account_id,
                                      const struct ap_event *ev, enum ap_verdict *verdict,
                                      struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    struct params p = {0};
    long changes;
    tickets_forget_rows(&s->tickets); /* read again after new events */
    p_i64(&p, account_id);
    p_text(&p, ev->id);
    p_text(&p, ev->conversation_id);
    p_i64(&p, (int64_t)ev->type);
    p_i64(&p, ev->at_us);
    p_bytes(&p, ev->canonical, ev->canonical_len);
    p_text(&p, ev->ticket_id);
    p_text(&p, ev->member_id);
    p_text(&p, ap_event_fact_attr(ev));
    p_i64(&p, ap_event_fact_flags(ev));
    enum ap_status rc = run_changes(s, ST_INSERT_EVENT, &p, &changes, err);
    if (rc != AP_OK)
        return rc;
    if (changes == 1) {
        *verdict = AP_VERDICT_STORED;
        return AP_OK;
    }
    return compare_existing(s, account_id, ev, verdict, err);
}



/* The batch in one INSERT ... SELECT FROM unnest; the ids it returns were
 * stored (the first event of each), every other event is compared with the
 * stored body in one more statement. */
static enum ap_status pg_insert_events(struct ap_store *base, int64_t account_id,
                                       const struct ap_event *events, size_t n,
                                       enum ap_verdict *verdicts, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    enum { N_ARRAYS = 9 };
    static const uint32_t oids[N_ARRAYS] = {TEXT_OID, TEXT_OID, INT8_OID, INT8_OID, TEXT_OID,
                                            TEXT_OID, TEXT_OID, TEXT_OID, INT8_OID};
    struct pg_array a[N_ARRAYS];
    struct params p = {0};
    PGresult *inserted = NULL, *bodies = NULL;
    struct id_row *stored = NULL, *known = NULL;
    bool *claimed = NULL;
    if (n == 0)
        return AP_OK;
    tickets_forget_rows(&s->tickets); /* read again after new events */
    for (int k = 0; k < N_ARRAYS; k++)
        array_begin(&a[k], oids[k]);
    for (size_t i = 0; i < n; i++) {
        const struct ap_event *ev = &events[i];
        array_add_text(&a[0], ev->id);
        array_add_text(&a[1], ev->conversation_id);
        array_add_i64(&a[2], (int64_t)ev->type);
        array_add_i64(&a[3], ev->at_us);
        array_add(&a[4], ev->canonical, ev->canonical_len);
        array_add_text_or_null(&a[5], ev->ticket_id);
        array_add_text_or_null(&a[6], ev->member_id);
        array_add_text_or_null(&a[7], ap_event_fact_attr(ev));
        array_add_i64(&a[8], ap_event_fact_flags(ev));
    }
    p_i64(&p, account_id);
    for (int k = 0; k < N_ARRAYS; k++)
        array_end(&a[k], &p);
    enum ap_status rc = run(s, ST_INSERT_EVENTS, &p, &inserted, err);
    if (rc != AP_OK)
        goto out;

    stored = sorted_ids(inserted);
    claimed = ap_calloc((size_t)PQntuples(inserted) + 1, sizeof *claimed);
    struct pg_array others;
    array_begin(&others, TEXT_OID);
    for (size_t i = 0; i < n; i++) {
        const struct id_row *hit = find_id(stored, inserted, events[i].id);
        if (hit && !claimed[hit - stored]) {
            claimed[hit - stored] = true;
            verdicts[i] = AP_VERDICT_STORED;
        } else {
            verdicts[i] = AP_VERDICT_REJECTED; /* decided below */
            array_add_text(&others, events[i].id);
        }
    }
    if (others.n > 0) {
        p = (struct params){0};
        p_i64(&p, account_id);
        array_end(&others, &p);
        rc = run(s, ST_EVENT_BODIES, &p, &bodies, err);
    }
    ap_buf_free(&others.buf);
    if (rc != AP_OK || bodies == NULL)
        goto out;
    known = sorted_ids(bodies);
    for (size_t i = 0; i < n && rc == AP_OK; i++) {
        if (verdicts[i] != AP_VERDICT_REJECTED)
            continue;
        const struct id_row *hit = find_id(known, bodies, events[i].id);
        if (hit == NULL) {
            rc = ap_error_set(err, AP_STORAGE, "", "event vanished");
            break;
        }
        int row = hit->row;
        size_t len = (size_t)PQgetlength(bodies, row, 1);
        bool same = len == events[i].canonical_len &&
                    memcmp(PQgetvalue(bodies, row, 1), events[i].canonical, len) == 0;
        verdicts[i] = same ? AP_VERDICT_DUPLICATE : AP_VERDICT_CONFLICT;
    }
out:
    for (int k = 0; k < N_ARRAYS; k++)
        ap_buf_free(&a[k].buf);
    free(stored);
    free(known);
    free(claimed);
    PQclear(inserted);
    PQclear(bodies);
    return rc;
}

static enum ap_status pg_count_events(struct ap_store *base, int64_t account_id, int64_t *count,
                                      struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    enum ap_status rc = run_row(from_base(base), ST_COUNT_EVENTS, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    *count = col_i64(r, 0, 0);
    PQclear(r);
    return AP_OK;
}

static enum ap_status pg_get_event(struct ap_store *base, int64_t account_id, const char *id,
                                   struct ap_buf *out, struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    p_text(&p, id);
    enum ap_status rc = run_row(from_base(base), ST_EVENT_BODY, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    rc = ap_buf_append(out, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
    PQclear(r);
    return rc;
}

/* Hands each row of (key text, blob) to fn. Consumes r. */
static enum ap_status each_blob(PGresult *r, ap_blob_fn fn, void *ctx)
{
    enum ap_status rc = AP_OK;
    for (int i = 0; rc == AP_OK && i < PQntuples(r); i++) {
        const char *key = col_text(r, i, 0);
        rc = fn(ctx, key ? key : "", PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1));
    }
    PQclear(r);
    return rc;
}

/* Hands each row of FACT_COLUMNS to fn as an event's facts. Consumes r. */
static enum ap_status each_fact(PGresult *r, ap_event_fn fn, void *ctx)
{
    enum ap_status rc = AP_OK;
    for (int i = 0; rc == AP_OK && i < PQntuples(r); i++) {
        struct ap_event ev;
        ap_event_from_facts(&ev, col_text(r, i, 0), (enum ap_event_type)col_i64(r, i, 1),
                            col_i64(r, i, 2), col_text(r, i, 3), (int)col_i64(r, i, 4),
                            col_text(r, i, 5), col_text(r, i, 6), col_text(r, i, 7));
        rc = fn(ctx, &ev);
    }
    PQclear(r);
    return rc;
}

static enum ap_status select_by_key(struct ap_store *base, enum stmt_id id, int64_t account_id,
                                    const char *key, ap_event_fn fn, void *ctx,
                                    struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    p_text(&p, key);
    enum ap_status rc = run(from_base(base), id, &p, &r, err);
    return rc == AP_OK ? each_fact(r, fn, ctx) : rc;
}

static enum ap_status pg_select_conversation_events(struct ap_store *base, int64_t account_id,
                                                    const char *conversation_id, ap_event_fn fn,
                                                    void *ctx, struct ap_error *err)
{
    return select_by_key(base, ST_CONVERSATION_EVENTS, account_id, conversation_id, fn, ctx, err);
}

static enum ap_status pg_select_ticket_events(struct ap_store *base, int64_t account_id,
                                              const char *ticket_id, ap_event_fn fn, void *ctx,
                                              struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    if (s->in_txn && tickets_has(&s->tickets, account_id, ticket_id)) {
        enum ap_status rc = s->tickets.rows ? AP_OK : tickets_load(s, err);
        return rc == AP_OK ? tickets_each(&s->tickets, ticket_id, fn, ctx) : rc;
    }
    return select_by_key(base, ST_TICKET_EVENTS, account_id, ticket_id, fn, ctx, err);
}

static enum ap_status pg_select_event_conversations(struct ap_store *base, int64_t account_id,
                                                    ap_blob_fn fn, void *ctx, struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    enum ap_status rc = run(from_base(base), ST_EVENT_CONVERSATIONS, &p, &r, err);
    return rc == AP_OK ? each_blob(r, fn, ctx) : rc;
}

/* ---- report aggregates -------------------------------------------------------- */

/* Reading a conversation's state is the first step of deriving it again, so
 * inside a transaction it takes the conversation's lock first: a writer on
 * another node that holds it commits before this read. */
static enum ap_status pg_get_conversation(struct ap_store *base, int64_t account_id,
                                          const char *conversation_id, struct ap_buf *out,
                                          struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    struct params p = {0};
    PGresult *r;
    enum ap_status rc = lock_conversation(s, account_id, conversation_id, err);
    if (rc != AP_OK)
        return rc;
    const struct conv_entry *e = conv_find(&s->convs, account_id, conversation_id);
    if (e != NULL && e->exists)
        return ap_buf_append(out, e->state, e->len);
    if (e != NULL || s->convs.cleared_account == account_id)
        return ap_error_set(err, AP_NOT_FOUND, "", NULL);
    p_i64(&p, account_id);
    p_text(&p, conversation_id);
    if ((rc = run_row(s, ST_GET_CONVERSATION, &p, &r, err)) != AP_OK)
        return rc;
    rc = ap_buf_append(out, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
    PQclear(r);
    return rc;
}

static enum ap_status pg_put_conversation(struct ap_store *base, int64_t account_id,
                                          const char *conversation_id, const void *state,
                                          size_t len, int64_t quiet_at_us, int64_t started_at_us,
                                          struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    if (s->in_txn) { /* written in bulk at commit, or when enough are waiting */
        struct conv_cache *c = &s->convs;
        if (c->n >= CONV_CACHE_MAX) {
            enum ap_status rc = conv_flush(s, err);
            if (rc != AP_OK)
                return rc;
            conv_clear(c); /* forgets cleared_account too: reads go to the table */
        }
        struct conv_entry *e = conv_get(c, account_id, conversation_id);
        conv_set(e, state, len);
        e->quiet_at_us = quiet_at_us;
        e->started_at_us = started_at_us;
        if (!e->dirty)
            c->n_dirty++;
        e->dirty = true;
        return c->n_dirty >= CONV_FLUSH_AT ? conv_flush(s, err) : AP_OK;
    }
    struct params p = {0};
    p_i64(&p, account_id);
    p_text(&p, conversation_id);
    p_bytes(&p, state, len);
    if (quiet_at_us >= 0)
        p_i64(&p, quiet_at_us);
    else
        p_null(&p);
    if (started_at_us != AP_NOT_STARTED)
        p_i64(&p, started_at_us);
    else
        p_null(&p);
    return run(s, ST_PUT_CONVERSATION, &p, NULL, err);
}

static enum ap_status pg_select_conversations_by_start(
    struct ap_store *base, int64_t account_id, int64_t from_us, int64_t to_us,
    int64_t after_started_us, const char *after_id, size_t limit, ap_blob_fn fn, void *ctx,
    struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    struct params p = {0};
    PGresult *r;
    enum ap_status rc = conv_flush(s, err);
    if (rc != AP_OK)
        return rc;
    p_i64(&p, account_id);
    p_i64(&p, from_us);
    p_i64(&p, to_us);
    p_i64(&p, after_started_us);
    if (after_id)
        p_text(&p, after_id);
    else
        p_null(&p);
    p_i64(&p, (int64_t)limit);
    rc = run(s, ST_CONVERSATIONS_BY_START, &p, &r, err);
    return rc == AP_OK ? each_blob(r, fn, ctx) : rc;
}

static enum ap_status pg_select_quiet_conversations(struct ap_store *base, int64_t account_id,
                                                    int64_t after_us, int64_t before_us,
                                                    ap_blob_fn fn, void *ctx, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    struct params p = {0};
    PGresult *r;
    enum ap_status rc = conv_flush(s, err);
    if (rc != AP_OK)
        return rc;
    p_i64(&p, account_id);
    p_i64(&p, after_us);
    p_i64(&p, before_us);
    rc = run(s, ST_QUIET_CONVERSATIONS, &p, &r, err);
    return rc == AP_OK ? each_blob(r, fn, ctx) : rc;
}

static int compare_cells(const void *pa, const void *pb)
{
    const struct ap_cell_key *a = &(*(const struct ap_cell *const *)pa)->key;
    const struct ap_cell_key *b = &(*(const struct ap_cell *const *)pb)->key;
    if (a->quiet_hour != b->quiet_hour)
        return a->quiet_hour < b->quiet_hour ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    int c = strcmp(a->channel, b->channel);
    return c ? c : strcmp(a->dim, b->dim);
}

/* Adds the cells of one table (settled or pending) in one statement. */
static enum ap_status add_cell_rows(struct pg_store *s, int64_t account_id,
                                    const struct ap_cell *const *cells, size_t n, bool pending,
                                    struct ap_error *err)
{
    enum { N_ARRAYS = 4 + AP_M__COUNT + 1 };
    _Static_assert(AP_M__COUNT == 14, "METRIC_ARRAYS and $20 of ST_ADD_PENDING_CELLS follow the metrics");
    static const uint32_t oids[N_ARRAYS] = {INT8_OID, INT8_OID, TEXT_OID, TEXT_OID};
    struct pg_array a[N_ARRAYS];
    struct params p = {0};
    if (n == 0)
        return AP_OK;
    for (int k = 0; k < N_ARRAYS; k++)
        array_begin(&a[k], k < 4 ? oids[k] : INT8_OID);
    for (size_t i = 0; i < n; i++) {
        const struct ap_cell *c = cells[i];
        array_add_i64(&a[0], c->key.kind);
        array_add_i64(&a[1], c->key.day);
        array_add_text(&a[2], c->key.channel);
        array_add_text(&a[3], c->key.dim);
        for (int m = 0; m < AP_M__COUNT; m++)
            array_add_i64(&a[4 + m], c->v[m]);
        array_add_i64(&a[4 + AP_M__COUNT], c->key.quiet_hour);
    }
    p_i64(&p, account_id);
    for (int k = 0; k < N_ARRAYS - (pending ? 0 : 1); k++)
        array_end(&a[k], &p);
    enum ap_status rc = run(s, pending ? ST_ADD_PENDING_CELLS : ST_ADD_CELLS, &p, NULL, err);
    for (int k = 0; k < N_ARRAYS; k++)
        ap_buf_free(&a[k].buf);
    return rc;
}

static enum ap_status pg_add_cells(struct ap_store *base, int64_t account_id,
                                   const struct ap_cell *cells, size_t n, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    const struct ap_cell **settled = ap_calloc(n + 1, sizeof *settled);
    const struct ap_cell **pending = ap_calloc(n + 1, sizeof *pending);
    size_t n_settled = 0, n_pending = 0;
    for (size_t i = 0; i < n; i++) {
        bool all_zero = true;
        for (int m = 0; m < AP_M__COUNT; m++)
            all_zero &= cells[i].v[m] == 0;
        if (all_zero)
            continue;
        if (cells[i].key.pending)
            pending[n_pending++] = &cells[i];
        else
            settled[n_settled++] = &cells[i];
    }
    qsort(settled, n_settled, sizeof *settled, compare_cells);
    qsort(pending, n_pending, sizeof *pending, compare_cells);
    enum ap_status rc = add_cell_rows(s, account_id, settled, n_settled, false, err);
    if (rc == AP_OK)
        rc = add_cell_rows(s, account_id, pending, n_pending, true, err);
    free(settled);
    free(pending);
    return rc;
}

static enum ap_status pg_select_cells(struct ap_store *base, int64_t account_id,
                                      const struct ap_cell_query *q, ap_cell_fn fn, void *ctx,
                                      struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    p_i64(&p, q->kind);
    p_i64(&p, q->day_from);
    p_i64(&p, q->day_to);
    p_text(&p, q->channel);
    if (q->pending)
        p_i64(&p, q->after_hour);
    enum ap_status rc =
        run(from_base(base), q->pending ? ST_SELECT_PENDING_CELLS : ST_SELECT_CELLS, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    for (int i = 0; rc == AP_OK && i < PQntuples(r); i++) {
        struct ap_cell c;
        memset(&c.key, 0, sizeof c.key);
        c.key.pending = q->pending;
        c.key.quiet_hour = col_i64(r, i, 0);
        c.key.kind = (int)col_i64(r, i, 1);
        c.key.day = col_i64(r, i, 2);
        copy_col(c.key.channel, sizeof c.key.channel, r, i, 3);
        copy_col(c.key.dim, sizeof c.key.dim, r, i, 4);
        for (int m = 0; m < AP_M__COUNT; m++)
            c.v[m] = col_i64(r, i, 5 + m);
        rc = fn(ctx, &c);
    }
    PQclear(r);
    return rc;
}

/* A rebuild owns the account: it waits for every ingest of the account in
 * flight (they hold the account lock shared) and keeps new ones out until it
 * commits, so no update lands between its delete and its recount. */
static enum ap_status pg_delete_report_data(struct ap_store *base, int64_t account_id,
                                            struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    static const enum stmt_id deletes[] = {ST_DELETE_CONVERSATIONS, ST_DELETE_CELLS,
                                           ST_DELETE_PENDING_CELLS};
    struct params p = {0};
    enum ap_status rc = lock_account_exclusive(s, account_id, err);
    if (rc == AP_OK)
        rc = conv_flush(s, err);
    p = (struct params){0};
    p_i64(&p, account_id);
    for (size_t i = 0; i < sizeof deletes / sizeof deletes[0] && rc == AP_OK; i++)
        rc = run(s, deletes[i], &p, NULL, err);
    if (rc == AP_OK && s->in_txn) {
        conv_clear(&s->convs); /* everything dirty was written just before */
        s->convs.cleared_account = account_id;
    }
    return rc;
}

static enum ap_status pg_set_reports_stale(struct ap_store *base, int64_t account_id, bool stale,
                                           struct ap_error *err)
{
    struct params p = {0};
    p_bool(&p, stale);
    p_i64(&p, account_id);
    return run(from_base(base), ST_SET_REPORTS_STALE, &p, NULL, err);
}

static enum ap_status pg_put_member_name(struct ap_store *base, int64_t account_id,
                                         const char *member_id, const char *name, int64_t at_us,
                                         const char *event_id, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    if (s->in_txn) { /* written at commit, the latest per member */
        members_add(s, account_id, member_id, name, at_us, event_id);
        return AP_OK;
    }
    struct params p = {0};
    p_i64(&p, account_id);
    p_text(&p, member_id);
    p_text(&p, name);
    p_i64(&p, at_us);
    p_text(&p, event_id);
    return run(s, ST_PUT_MEMBER, &p, NULL, err);
}

static enum ap_status pg_select_members(struct ap_store *base, int64_t account_id,
                                        ap_member_fn fn, void *ctx, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    struct params p = {0};
    PGresult *r;
    enum ap_status rc = members_flush(s, err);
    if (rc != AP_OK)
        return rc;
    p_i64(&p, account_id);
    rc = run(s, ST_MEMBERS, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    for (int i = 0; rc == AP_OK && i < PQntuples(r); i++)
        rc = fn(ctx, col_text(r, i, 0), col_text(r, i, 1));
    PQclear(r);
    return rc;
}

/* ---- knowledge gaps ------------------------------------------------------------ */

static void gaps_discard(struct gap_writes *g)
{
    for (int k = 0; k < 6; k++)
        if (g->n_rec)
            ap_buf_free(&g->rec[k].buf);
    for (int k = 0; k < 5; k++)
        if (g->n_asg)
            ap_buf_free(&g->asg[k].buf);
    if (g->n_channels)
        ap_buf_free(&g->channels.buf);
    g->n_rec = g->n_asg = g->n_channels = 0;
}

/* Takes a transaction-scoped lock of the account's knowledge gaps: 'q' around
 * numbering new questions (ingest on several nodes), 'g' around assignment
 * and curation (the grouping model is replayed from the stored assignments,
 * so one writer at a time). Outside a transaction there is nothing to hold. */
static enum ap_status lock_gaps(struct pg_store *s, int64_t account_id, char kind,
                                struct ap_error *err)
{
    int64_t key = lock_key(account_id, kind, "gaps");
    if (!s->in_txn || holds_lock(s, key))
        return AP_OK;
    return lock_exclusive(s, key, err);
}

/* Counts the questions whose ids the array holds (just assigned) in their
 * topics' figures. The array stays the caller's. */
static enum ap_status add_gap_figures(struct pg_store *s, int64_t account_id,
                                      struct pg_array *ids, struct ap_error *err)
{
    struct params p = {0};
    p_i64(&p, account_id);
    array_end(ids, &p);
    return run(s, ST_ADD_GAP_FIGURES, &p, NULL, err);
}

/* Computes a topic's rows of gap_topic_figures anew from its questions,
 * under the account's assignment lock (as assignment and curation run). */
static enum ap_status refresh_gap_figures(struct pg_store *s, int64_t account_id,
                                          int64_t topic_id, struct ap_error *err)
{
    static const enum stmt_id steps[] = {ST_CLEAR_GAP_FIGURES, ST_FILL_GAP_FIGURES,
                                         ST_LABEL_GAP_FIGURES};
    enum ap_status rc = lock_gaps(s, account_id, 'g', err);
    for (size_t i = 0; rc == AP_OK && i < sizeof steps / sizeof *steps; i++) {
        struct params p = {0};
        p_i64(&p, account_id);
        p_i64(&p, topic_id);
        rc = run(s, steps[i], &p, NULL, err);
    }
    return rc;
}

/* Refreshes each topic named in the first column of r (questions whose
 * channel changed), once; consumes r. */
static enum ap_status refresh_returned_topics(struct pg_store *s, int64_t account_id,
                                              PGresult *r, struct ap_error *err)
{
    enum ap_status rc = AP_OK;
    int n = PQntuples(r);
    for (int i = 0; rc == AP_OK && i < n; i++) {
        int64_t topic_id = col_i64(r, i, 0);
        bool seen = topic_id == 0;
        for (int j = 0; !seen && j < i; j++)
            seen = col_i64(r, j, 0) == topic_id;
        if (!seen)
            rc = refresh_gap_figures(s, account_id, topic_id, err);
    }
    PQclear(r);
    return rc;
}

/* The topic a question is in (0: none yet); AP_NOT_FOUND without the question. */
static enum ap_status gap_question_topic(struct pg_store *s, int64_t account_id,
                                         int64_t question_id, int64_t *topic_id,
                                         struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    p_i64(&p, question_id);
    enum ap_status rc = run_row(s, ST_GAP_QUESTION_TOPIC, &p, &r, err);
    if (rc == AP_OK) {
        *topic_id = col_i64(r, 0, 0);
        PQclear(r);
    }
    return rc;
}

static enum ap_status gaps_flush(struct pg_store *s, struct ap_error *err)
{
    struct gap_writes *g = &s->gaps;
    struct params p = {0};
    long changes = 0;
    enum ap_status rc = AP_OK;
    size_t n_asg = g->n_asg;
    if (g->n_rec) {
        p_i64(&p, g->account_id);
        p_i64(&p, AP_EV_STARTED);
        for (int k = 0; k < 6; k++)
            array_end(&g->rec[k], &p);
        rc = run_changes(s, ST_RECORD_GAP_QUESTIONS, &p, &changes, err);
    }
    if (rc == AP_OK && g->n_channels) {
        PGresult *r;
        p = (struct params){0};
        p_i64(&p, g->account_id);
        array_end(&g->channels, &p);
        p_i64(&p, AP_EV_STARTED);
        rc = run(s, ST_UPDATE_GAP_CHANNELS_MANY, &p, &r, err);
        if (rc == AP_OK)
            rc = refresh_returned_topics(s, g->account_id, r, err);
    }
    if (rc == AP_OK && n_asg) {
        p = (struct params){0};
        p_i64(&p, g->account_id);
        for (int k = 0; k < 5; k++)
            array_end(&g->asg[k], &p);
        rc = run_changes(s, ST_ASSIGN_GAP_QUESTIONS, &p, &changes, err);
        if (rc == AP_OK && (size_t)changes != n_asg)
            rc = ap_error_set(err, AP_NOT_FOUND, "", "a question to assign does not exist");
        if (rc == AP_OK)
            rc = add_gap_figures(s, g->account_id, &g->asg[0], err);
    }
    gaps_discard(g);
    return rc;
}

/* Makes room in the buffer for a write of this account. */
static enum ap_status gaps_prepare(struct pg_store *s, int64_t account_id, struct ap_error *err)
{
    struct gap_writes *g = &s->gaps;
    enum ap_status rc = AP_OK;
    size_t n = g->n_rec + g->n_asg + g->n_channels;
    if (n > 0 && (g->account_id != account_id || n >= 5000))
        rc = gaps_flush(s, err);
    g->account_id = account_id;
    return rc;
}



/* Runs an UPDATE that must touch a row; AP_NOT_FOUND when it touched none. */
static enum ap_status run_update(struct pg_store *s, enum stmt_id id, const struct params *p,
                                 struct ap_error *err)
{
    long changes;
    enum ap_status rc = run_changes(s, id, p, &changes, err);
    if (rc == AP_OK && changes == 0)
        return ap_error_set(err, AP_NOT_FOUND, "", NULL);
    return rc;
}

static enum ap_status pg_record_gap_question(struct ap_store *base, int64_t account_id,
                                             const struct ap_gap_question_rec *q,
                                             struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    enum ap_status rc = lock_gaps(s, account_id, 'q', err);
    if (rc == AP_OK && s->in_txn)
        rc = gaps_prepare(s, account_id, err);
    if (rc != AP_OK)
        return rc;
    if (s->in_txn) {
        struct gap_writes *g = &s->gaps;
        static const uint32_t oids[6] = {TEXT_OID, TEXT_OID, INT8_OID, TEXT_OID, TEXT_OID,
                                         BYTEA_OID};
        if (g->n_rec == 0)
            for (int k = 0; k < 6; k++)
                array_begin(&g->rec[k], oids[k]);
        array_add_text(&g->rec[0], q->event_id);
        array_add_text(&g->rec[1], q->conversation_id);
        array_add_i64(&g->rec[2], q->at_us);
        array_add_text(&g->rec[3], q->text);
        array_add_text_or_null(&g->rec[4], q->language);
        if (q->embedding)
            array_add(&g->rec[5], q->embedding, q->embedding_len * sizeof(double));
        else
            array_add_text_or_null(&g->rec[5], NULL);
        g->n_rec++;
        return AP_OK;
    }
    struct params p = {0};
    p_i64(&p, account_id);
    p_text(&p, q->event_id);
    p_i64(&p, AP_EV_STARTED);
    p_text(&p, q->conversation_id);
    p_i64(&p, q->at_us);
    p_text(&p, q->text);
    p_text(&p, q->language);
    p_bytes(&p, q->embedding, q->embedding ? q->embedding_len * sizeof(double) : 0);
    return run(s, ST_RECORD_GAP_QUESTION, &p, NULL, err);
}

static enum ap_status pg_update_gap_channels(struct ap_store *base, int64_t account_id,
                                             const char *conversation_id, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    if (s->in_txn) { /* after the recorded questions, in one statement */
        enum ap_status rc = gaps_prepare(s, account_id, err);
        if (rc != AP_OK)
            return rc;
        if (s->gaps.n_channels++ == 0)
            array_begin(&s->gaps.channels, TEXT_OID);
        array_add_text(&s->gaps.channels, conversation_id);
        return AP_OK;
    }
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    p_text(&p, conversation_id);
    p_i64(&p, AP_EV_STARTED);
    enum ap_status rc = run(s, ST_UPDATE_GAP_CHANNELS, &p, &r, err);
    return rc == AP_OK ? refresh_returned_topics(s, account_id, r, err) : rc;
}

static enum ap_status pg_gap_generation(struct ap_store *base, int64_t account_id,
                                        int64_t *generation, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    struct params p = {0};
    PGresult *r;
    enum ap_status rc = lock_gaps(s, account_id, 'g', err);
    if (rc != AP_OK)
        return rc;
    p_i64(&p, account_id);
    if ((rc = run_row(s, ST_GAP_GENERATION, &p, &r, err)) != AP_OK)
        return rc;
    *generation = col_i64(r, 0, 0);
    PQclear(r);
    return AP_OK;
}

static enum ap_status pg_bump_gap_generation(struct ap_store *base, int64_t account_id,
                                             struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    enum ap_status rc = lock_gaps(s, account_id, 'g', err);
    if (rc != AP_OK)
        return rc;
    struct params p = {0};
    p_i64(&p, account_id);
    return run(s, ST_BUMP_GAP_GENERATION, &p, NULL, err);
}

/* Hands each row of GAP_QUESTION_COLUMNS to fn. An embedding whose size is
 * not a whole number of doubles is ignored. Consumes r; *rows counts them. */
static enum ap_status each_gap_question(PGresult *r, ap_gap_question_fn fn, void *ctx, int *rows)
{
    enum ap_status rc = AP_OK;
    *rows = PQntuples(r);
    for (int i = 0; rc == AP_OK && i < PQntuples(r); i++) {
        size_t bytes = (size_t)PQgetlength(r, i, 6);
        bool whole = !PQgetisnull(r, i, 6) && bytes > 0 && bytes % sizeof(double) == 0;
        /* libpq aligns every value for any type, so the doubles are readable in place. */
        struct ap_gap_question_rec q = {
            .id = col_i64(r, i, 0),
            .event_id = col_text(r, i, 1),
            .conversation_id = col_text(r, i, 2),
            .at_us = col_i64(r, i, 3),
            .text = col_text(r, i, 4),
            .language = col_text(r, i, 5),
            .embedding = whole ? (const double *)(const void *)PQgetvalue(r, i, 6) : NULL,
            .embedding_len = whole ? bytes / sizeof(double) : 0,
            .channel = col_text(r, i, 7),
            .topic_id = col_i64(r, i, 8),
            .assign_seq = col_i64(r, i, 9),
            .stemmer = col_text(r, i, 10),
            .similarity = col_f64(r, i, 11),
            .dismissed = col_i64(r, i, 12) != 0,
        };
        rc = fn(ctx, &q);
    }
    PQclear(r);
    return rc;
}

static enum ap_status select_gap_questions(struct pg_store *s, enum stmt_id id,
                                           const struct params *p, ap_gap_question_fn fn,
                                           void *ctx, int *rows, struct ap_error *err)
{
    PGresult *r;
    enum ap_status rc = run(s, id, p, &r, err);
    return rc == AP_OK ? each_gap_question(r, fn, ctx, rows) : rc;
}

static enum ap_status pg_select_gap_assignments(struct ap_store *base, int64_t account_id,
                                                int64_t after_seq, ap_gap_question_fn fn,
                                                void *ctx, struct ap_error *err)
{
    struct params p = {0};
    int rows;
    p_i64(&p, account_id);
    p_i64(&p, after_seq);
    return select_gap_questions(from_base(base), ST_GAP_ASSIGNMENTS, &p, fn, ctx, &rows, err);
}

static enum ap_status pg_select_pending_gap_questions(struct ap_store *base, int64_t account_id,
                                                      int64_t limit, ap_gap_question_fn fn,
                                                      void *ctx, struct ap_error *err)
{
    struct params p = {0};
    int rows;
    p_i64(&p, account_id);
    p_i64(&p, limit);
    return select_gap_questions(from_base(base), ST_PENDING_GAP_QUESTIONS, &p, fn, ctx, &rows,
                                err);
}

static enum ap_status pg_assign_gap_question(struct ap_store *base, int64_t account_id,
                                             int64_t question_id, int64_t topic_id, int64_t seq,
                                             const char *stemmer, double similarity,
                                             struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    if (s->in_txn) { /* checked when sent: every question must exist */
        enum ap_status rc = gaps_prepare(s, account_id, err);
        if (rc != AP_OK)
            return rc;
        struct gap_writes *g = &s->gaps;
        static const uint32_t oids[5] = {INT8_OID, INT8_OID, INT8_OID, TEXT_OID,
                                         FLOAT8_OID};
        if (g->n_asg == 0)
            for (int k = 0; k < 5; k++)
                array_begin(&g->asg[k], oids[k]);
        uint64_t bits;
        memcpy(&bits, &similarity, sizeof bits);
        array_add_i64(&g->asg[0], question_id);
        array_add_i64(&g->asg[1], topic_id);
        array_add_i64(&g->asg[2], seq);
        array_add_text_or_null(&g->asg[3], stemmer);
        array_add_i64(&g->asg[4], (int64_t)bits); /* float8 travels as its 8 bytes */
        g->n_asg++;
        return AP_OK;
    }
    struct params p = {0};
    p_i64(&p, account_id);
    p_i64(&p, question_id);
    p_i64(&p, topic_id);
    p_i64(&p, seq);
    p_text(&p, stemmer);
    p_f64(&p, similarity);
    enum ap_status rc = run_update(s, ST_ASSIGN_GAP_QUESTION, &p, err);
    if (rc == AP_OK) {
        struct pg_array ids;
        array_begin(&ids, INT8_OID);
        array_add_i64(&ids, question_id);
        rc = add_gap_figures(s, account_id, &ids, err);
        ap_buf_free(&ids.buf);
    }
    return rc;
}

static enum ap_status pg_insert_gap_topic(struct ap_store *base, int64_t account_id,
                                          int64_t created_at_us, int64_t *topic_id,
                                          struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    struct params p = {0};
    PGresult *r;
    enum ap_status rc = lock_gaps(s, account_id, 'g', err);
    if (rc != AP_OK)
        return rc;
    p_i64(&p, account_id);
    p_i64(&p, created_at_us);
    if ((rc = run_row(s, ST_INSERT_GAP_TOPIC, &p, &r, err)) != AP_OK)
        return rc;
    *topic_id = col_i64(r, 0, 0);
    PQclear(r);
    return AP_OK;
}

/* Hands each topic row (the columns of ST_SELECT_GAP_TOPICS) to fn; the last
 * column, the total, goes to *total when given. Consumes r. */
static enum ap_status each_gap_topic(PGresult *r, ap_gap_topic_fn fn, void *ctx, int64_t *total,
                                     int *rows)
{
    enum ap_status rc = AP_OK;
    *rows = PQntuples(r);
    for (int i = 0; rc == AP_OK && i < PQntuples(r); i++) {
        struct ap_gap_topic_rec t = {
            .id = col_i64(r, i, 0),
            .label = col_text(r, i, 1),
            .auto_label = col_text(r, i, 2),
            .dismissed = col_i64(r, i, 3) != 0,
            .merged_into = col_i64(r, i, 4),
            .answer_id = col_text(r, i, 5),
            .answered_at_us = col_i64(r, i, 6),
            .created_at_us = col_i64(r, i, 7),
            .conversations = col_i64(r, i, 8),
            .questions = col_i64(r, i, 9),
            .last_at_us = col_i64(r, i, 10),
            .since_answer = col_i64(r, i, 11),
            .status = (enum ap_gap_status)col_i64(r, i, 12),
        };
        if (total)
            *total = col_i64(r, i, 13);
        rc = fn(ctx, &t);
    }
    PQclear(r);
    return rc;
}

/* Without a date range the table reads the figures kept per topic; a range
 * groups the questions it selects. */
static enum stmt_id gap_topics_statement(const struct ap_gap_topic_query *q)
{
    if (q->from_us != INT64_MIN || q->to_us != INT64_MAX)
        return ST_SELECT_GAP_TOPICS;
    if (q->topic_id != 0)
        return ST_GAP_FIGURES_OF_TOPIC;
    return q->by_last ? ST_GAP_FIGURES_BY_LAST : ST_GAP_FIGURES_BY_CONVERSATIONS;
}

static enum ap_status pg_select_gap_topics(struct ap_store *base, int64_t account_id,
                                           const struct ap_gap_topic_query *q, ap_gap_topic_fn fn,
                                           void *ctx, int64_t *total, struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    int rows;
    enum stmt_id id = gap_topics_statement(q);
    bool grouped = id == ST_SELECT_GAP_TOPICS;
    p_i64(&p, account_id);
    if (grouped) {
        p_i64(&p, q->from_us);
        p_i64(&p, q->to_us);
    }
    p_text(&p, q->channel);
    p_i64(&p, q->topic_id);
    p_i64(&p, q->status);
    if (grouped)
        p_i64(&p, q->by_last);
    p_i64(&p, q->limit);
    p_i64(&p, q->offset);
    *total = 0;
    enum ap_status rc = run(from_base(base), id, &p, &r, err);
    return rc == AP_OK ? each_gap_topic(r, fn, ctx, total, &rows) : rc;
}

static enum ap_status pg_get_gap_topic(struct ap_store *base, int64_t account_id,
                                       int64_t topic_id, ap_gap_topic_fn fn, void *ctx,
                                       struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    int rows;
    p_i64(&p, account_id);
    p_i64(&p, topic_id);
    enum ap_status rc = run(from_base(base), ST_GET_GAP_TOPIC, &p, &r, err);
    if (rc == AP_OK)
        rc = each_gap_topic(r, fn, ctx, NULL, &rows);
    if (rc == AP_OK && rows == 0)
        return ap_error_set(err, AP_NOT_FOUND, "id", "no topic %lld", (long long)topic_id);
    return rc;
}

static enum ap_status pg_select_gap_topic_questions(struct ap_store *base, int64_t account_id,
                                                    int64_t topic_id, int64_t limit,
                                                    int64_t offset, ap_gap_question_fn fn,
                                                    void *ctx, struct ap_error *err)
{
    struct params p = {0};
    int rows;
    p_i64(&p, account_id);
    p_i64(&p, topic_id);
    p_i64(&p, limit);
    p_i64(&p, offset);
    return select_gap_questions(from_base(base), ST_GAP_TOPIC_QUESTIONS, &p, fn, ctx, &rows,
                                err);
}

static enum ap_status pg_select_gap_topic_latest(struct ap_store *base, int64_t account_id,
                                                 int64_t topic_id,
                                                 const struct ap_gap_topic_query *q, int64_t limit,
                                                 ap_gap_question_fn fn, void *ctx,
                                                 struct ap_error *err)
{
    struct params p = {0};
    int rows;
    p_i64(&p, account_id);
    p_i64(&p, topic_id);
    p_i64(&p, q->from_us);
    p_i64(&p, q->to_us);
    p_text(&p, q->channel);
    p_i64(&p, limit);
    return select_gap_questions(from_base(base), ST_GAP_TOPIC_LATEST, &p, fn, ctx, &rows, err);
}

static enum ap_status pg_get_gap_question(struct ap_store *base, int64_t account_id,
                                          int64_t question_id, ap_gap_question_fn fn, void *ctx,
                                          struct ap_error *err)
{
    struct params p = {0};
    int rows;
    p_i64(&p, account_id);
    p_i64(&p, question_id);
    enum ap_status rc =
        select_gap_questions(from_base(base), ST_GET_GAP_QUESTION, &p, fn, ctx, &rows, err);
    if (rc == AP_OK && rows == 0)
        return ap_error_set(err, AP_NOT_FOUND, "id", "no question %lld", (long long)question_id);
    return rc;
}

/* The curation updates: (account, id, value), AP_NOT_FOUND when no row matched. */
static enum ap_status update_gap_row(struct pg_store *s, enum stmt_id id, int64_t account_id,
                                     int64_t row, int64_t value, struct ap_error *err)
{
    struct params p = {0};
    p_i64(&p, account_id);
    p_i64(&p, row);
    p_i64(&p, value);
    return run_update(s, id, &p, err);
}

static enum ap_status pg_rename_gap_topic(struct ap_store *base, int64_t account_id,
                                          int64_t topic_id, const char *label,
                                          struct ap_error *err)
{
    struct params p = {0};
    p_i64(&p, account_id);
    p_i64(&p, topic_id);
    p_text(&p, label);
    return run_update(from_base(base), ST_RENAME_GAP_TOPIC, &p, err);
}

static enum ap_status pg_set_gap_topic_dismissed(struct ap_store *base, int64_t account_id,
                                                 int64_t topic_id, bool dismissed,
                                                 struct ap_error *err)
{
    return update_gap_row(from_base(base), ST_SET_GAP_TOPIC_DISMISSED, account_id, topic_id,
                          dismissed, err);
}

static enum ap_status pg_set_gap_question_dismissed(struct ap_store *base, int64_t account_id,
                                                    int64_t question_id, bool dismissed,
                                                    struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    int64_t topic_id = 0;
    enum ap_status rc = gap_question_topic(s, account_id, question_id, &topic_id, err);
    if (rc == AP_OK)
        rc = update_gap_row(s, ST_SET_GAP_QUESTION_DISMISSED, account_id, question_id,
                            dismissed, err);
    if (rc == AP_OK && topic_id != 0)
        rc = refresh_gap_figures(s, account_id, topic_id, err);
    return rc;
}

static enum ap_status pg_move_gap_question(struct ap_store *base, int64_t account_id,
                                           int64_t question_id, int64_t topic_id,
                                           struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    int64_t from = 0;
    enum ap_status rc = gap_question_topic(s, account_id, question_id, &from, err);
    if (rc == AP_OK)
        rc = update_gap_row(s, ST_MOVE_GAP_QUESTION, account_id, question_id, topic_id, err);
    if (rc == AP_OK && from != topic_id)
        rc = refresh_gap_figures(s, account_id, from, err);
    if (rc == AP_OK)
        rc = refresh_gap_figures(s, account_id, topic_id, err);
    return rc;
}

static enum ap_status pg_select_gap_regroup_questions(struct ap_store *base, int64_t account_id,
                                                      ap_gap_question_fn fn, void *ctx,
                                                      struct ap_error *err)
{
    struct params p = {0};
    int rows;
    p_i64(&p, account_id);
    return select_gap_questions(from_base(base), ST_REGROUP_GAP_QUESTIONS, &p, fn, ctx, &rows,
                                err);
}

static enum ap_status pg_regroup_gap_question(struct ap_store *base, int64_t account_id,
                                              int64_t question_id, int64_t topic_id,
                                              double similarity, struct ap_error *err)
{
    struct params p = {0};
    p_i64(&p, account_id);
    p_i64(&p, question_id);
    p_i64(&p, topic_id);
    p_f64(&p, similarity);
    return run(from_base(base), ST_REGROUP_GAP_QUESTION, &p, NULL, err);
}

static enum ap_status pg_refresh_gap_topic(struct ap_store *base, int64_t account_id,
                                           int64_t topic_id, struct ap_error *err)
{
    return refresh_gap_figures(from_base(base), account_id, topic_id, err);
}

static enum ap_status pg_curate_gap_question_dismissed(struct ap_store *base, int64_t account_id,
                                                       int64_t topic_id, int64_t question_id,
                                                       bool dismissed, struct ap_error *err)
{
    struct params p = {0};
    p_i64(&p, account_id);
    p_i64(&p, topic_id);
    p_i64(&p, question_id);
    p_i64(&p, dismissed);
    return run_update(from_base(base), ST_CURATE_GAP_QUESTION_DISMISSED, &p, err);
}

static enum ap_status pg_merge_gap_topic(struct ap_store *base, int64_t account_id, int64_t from,
                                         int64_t into, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    struct params p = {0};
    p_i64(&p, account_id);
    p_i64(&p, from);
    p_i64(&p, into);
    enum ap_status rc = run(s, ST_MERGE_GAP_QUESTIONS, &p, NULL, err);
    if (rc == AP_OK)
        rc = update_gap_row(s, ST_MARK_GAP_TOPIC_MERGED, account_id, from, into, err);
    if (rc == AP_OK)
        rc = refresh_gap_figures(s, account_id, from, err);
    if (rc == AP_OK)
        rc = refresh_gap_figures(s, account_id, into, err);
    return rc;
}

static enum ap_status pg_set_gap_topic_answer(struct ap_store *base, int64_t account_id,
                                              int64_t topic_id, const char *answer_id,
                                              int64_t answered_at_us, struct ap_error *err)
{
    struct params p = {0};
    p_i64(&p, account_id);
    p_i64(&p, topic_id);
    p_text(&p, answer_id);
    if (answer_id != NULL)
        p_i64(&p, answered_at_us);
    else
        p_null(&p);
    return run_update(from_base(base), ST_SET_GAP_TOPIC_ANSWER, &p, err);
}

static enum ap_status pg_select_conversation_bodies(struct ap_store *base, int64_t account_id,
                                                    const char *conversation_id, int type,
                                                    ap_blob_fn fn, void *ctx,
                                                    struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    p_text(&p, conversation_id);
    p_i64(&p, type);
    enum ap_status rc = run(from_base(base), ST_CONVERSATION_BODIES, &p, &r, err);
    return rc == AP_OK ? each_blob(r, fn, ctx) : rc;
}

/* ---- short answers ------------------------------------------------------------ */

/* Bumps the account's answer version; runs in the caller's transaction, so a
 * change and its bump commit together. Concurrent changes of one account wait
 * on the state row in turn. */
static enum ap_status bump_answers(struct pg_store *s, int64_t account_id, struct ap_error *err)
{
    struct params p = {0};
    p_i64(&p, account_id);
    return run(s, ST_BUMP_ANSWERS, &p, NULL, err);
}

/* The alternatives as one text of lines, into lines (the caller frees it). */
static void join_alternatives(const struct ap_answer *a, struct ap_buf *lines)
{
    ap_buf_init(lines, (size_t)AP_ANSWER_JSON_MAX);
    for (size_t i = 0; i < a->n_alternatives; i++) {
        if (i)
            ap_buf_append_char(lines, '\n');
        ap_buf_append_str(lines, a->alternatives[i]);
    }
}

/* Binds $1..$8 of ST_INSERT_ANSWER / ST_UPDATE_ANSWER; `lines` stays borrowed. */
static void bind_answer(struct params *p, int64_t account_id, const struct ap_answer *a,
                        const struct ap_buf *lines)
{
    p_i64(p, account_id);
    p_text(p, a->id);
    p_text(p, a->question);
    p_bytes(p, lines->data ? lines->data : "", lines->len);
    p_i64(p, (int64_t)a->n_alternatives);
    p_text(p, a->answer);
    p_text(p, a->language);
    p_i64(p, a->enabled ? 1 : 0);
}

/* An insert ($9 created, $10 updated) or an update ($9 updated) of a whole
 * answer, then the version bump. */
static enum ap_status write_answer(struct pg_store *s, enum stmt_id id, int64_t account_id,
                                   const struct ap_answer *a, struct ap_error *err)
{
    struct params p = {0};
    struct ap_buf lines;
    long changes;
    join_alternatives(a, &lines);
    bind_answer(&p, account_id, a, &lines);
    if (id == ST_INSERT_ANSWER)
        p_i64(&p, a->created_at_us);
    p_i64(&p, a->updated_at_us);
    enum ap_status rc = run_changes(s, id, &p, &changes, err);
    ap_buf_free(&lines);
    if (rc != AP_OK)
        return rc;
    if (changes == 0) {
        if (id == ST_INSERT_ANSWER)
            return ap_error_set(err, AP_EXISTS, "id", "\"id\": an answer \"%.128s\" already exists",
                                a->id);
        return ap_error_set(err, AP_NOT_FOUND, "id", "no answer \"%.128s\"", a->id);
    }
    return bump_answers(s, account_id, err);
}

static enum ap_status pg_insert_answer(struct ap_store *base, int64_t account_id,
                                       const struct ap_answer *a, struct ap_error *err)
{
    return write_answer(from_base(base), ST_INSERT_ANSWER, account_id, a, err);
}

static enum ap_status pg_update_answer(struct ap_store *base, int64_t account_id,
                                       const struct ap_answer *a, struct ap_error *err)
{
    return write_answer(from_base(base), ST_UPDATE_ANSWER, account_id, a, err);
}

static enum ap_status pg_delete_answer(struct ap_store *base, int64_t account_id, const char *id,
                                       struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    struct params p = {0};
    long changes;
    p_i64(&p, account_id);
    p_text(&p, id);
    enum ap_status rc = run_changes(s, ST_DELETE_ANSWER, &p, &changes, err);
    if (rc != AP_OK)
        return rc;
    if (changes == 0)
        return ap_error_set(err, AP_NOT_FOUND, "id", "no answer \"%.128s\"", id);
    return bump_answers(s, account_id, err);
}

/* Reads a row of ANSWER_COLUMNS into *a (initialised here; the caller frees). */
static void read_answer(const PGresult *r, int row, struct ap_answer *a)
{
    ap_answer_init(a);
    a->id = ap_strdup(col_text(r, row, 0));
    a->question = ap_strdup(col_text(r, row, 1));
    const char *lines = col_text(r, row, 2);
    if (col_i64(r, row, 3) > 0 && lines) {
        for (const char *p = lines;;) {
            const char *nl = strchr(p, '\n');
            ap_answer_add_alternative(a, p, nl ? (size_t)(nl - p) : strlen(p));
            if (nl == NULL)
                break;
            p = nl + 1;
        }
    }
    a->answer = ap_strdup(col_text(r, row, 4));
    copy_col(a->language, sizeof a->language, r, row, 5);
    a->enabled = col_i64(r, row, 6) != 0;
    a->created_at_us = col_i64(r, row, 7);
    a->updated_at_us = col_i64(r, row, 8);
}

static enum ap_status pg_get_answer(struct ap_store *base, int64_t account_id, const char *id,
                                    struct ap_answer *out, struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    p_text(&p, id);
    enum ap_status rc = run_row(from_base(base), ST_GET_ANSWER, &p, &r, err);
    if (rc == AP_NOT_FOUND)
        return ap_error_set(err, AP_NOT_FOUND, "id", "no answer \"%.128s\"", id);
    if (rc != AP_OK)
        return rc;
    read_answer(r, 0, out);
    PQclear(r);
    return AP_OK;
}

/* Binds $1..$3 of ANSWER_FILTER. */
static void bind_answer_filter(struct params *p, int64_t account_id,
                               const struct ap_answer_query *q)
{
    p_i64(p, account_id);
    p_i64(p, q->enabled < 0 ? -1 : q->enabled != 0);
    p_text(p, q->q);
}

static enum ap_status pg_select_answers(struct ap_store *base, int64_t account_id,
                                        const struct ap_answer_query *q, ap_answer_fn fn,
                                        void *ctx, int64_t *total, struct ap_error *err)
{
    struct pg_store *s = from_base(base);
    struct params p = {0};
    PGresult *r;
    enum ap_status rc;
    bind_answer_filter(&p, account_id, q);
    if (total) {
        if ((rc = run_row(s, ST_COUNT_ANSWERS, &p, &r, err)) != AP_OK)
            return rc;
        *total = col_i64(r, 0, 0);
        PQclear(r);
    }
    if (q->limit)
        p_i64(&p, (int64_t)q->limit);
    else
        p_null(&p);
    p_i64(&p, (int64_t)q->offset);
    if ((rc = run(s, ST_SELECT_ANSWERS, &p, &r, err)) != AP_OK)
        return rc;
    for (int i = 0; rc == AP_OK && i < PQntuples(r); i++) {
        struct ap_answer a;
        read_answer(r, i, &a);
        rc = fn(ctx, &a);
        ap_answer_free(&a);
    }
    PQclear(r);
    return rc;
}

static enum ap_status pg_get_answer_state(struct ap_store *base, int64_t account_id,
                                          int64_t *version, double *threshold,
                                          struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    *version = 0;
    *threshold = -1;
    enum ap_status rc = run(from_base(base), ST_ANSWER_STATE, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    if (PQntuples(r) > 0) {
        *version = col_i64(r, 0, 0);
        if (!PQgetisnull(r, 0, 1))
            *threshold = col_f64(r, 0, 1);
    }
    PQclear(r);
    return AP_OK;
}

static enum ap_status pg_set_answer_threshold(struct ap_store *base, int64_t account_id,
                                              double threshold, struct ap_error *err)
{
    struct params p = {0};
    p_i64(&p, account_id);
    if (threshold >= 0)
        p_f64(&p, threshold);
    else
        p_null(&p);
    return run(from_base(base), ST_SET_ANSWER_THRESHOLD, &p, NULL, err);
}

/* ---- embeddings ------------------------------------------------------------------ */

static enum ap_status pg_get_cached_embedding(struct ap_store *base, const char *model,
                                              const uint8_t hash[AP_TEXT_HASH_SIZE], double *out,
                                              size_t cap, size_t *dims, struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_text(&p, model);
    p_bytes(&p, hash, AP_TEXT_HASH_SIZE);
    enum ap_status rc = run_row(from_base(base), ST_GET_CACHED_EMBEDDING, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    int64_t n = col_i64(r, 0, 0);
    size_t bytes = (size_t)PQgetlength(r, 0, 1);
    bool fits = n > 0 && (size_t)n <= cap && bytes == (size_t)n * sizeof(double);
    if (fits) {
        memcpy(out, PQgetvalue(r, 0, 1), bytes);
        *dims = (size_t)n;
    }
    PQclear(r);
    return fits ? AP_OK : ap_error_set(err, AP_NOT_FOUND, "", NULL);
}

static enum ap_status pg_put_cached_embedding(struct ap_store *base, const char *model,
                                              const uint8_t hash[AP_TEXT_HASH_SIZE],
                                              const double *vector, size_t dims, int64_t now_us,
                                              struct ap_error *err)
{
    struct params p = {0};
    p_text(&p, model);
    p_bytes(&p, hash, AP_TEXT_HASH_SIZE);
    p_i64(&p, (int64_t)dims);
    p_bytes(&p, vector, dims * sizeof(double));
    p_i64(&p, now_us);
    return run(from_base(base), ST_PUT_CACHED_EMBEDDING, &p, NULL, err);
}

static enum ap_status pg_select_unembedded_gap_questions(struct ap_store *base,
                                                         int64_t account_id, const char *model,
                                                         int64_t limit, ap_gap_question_fn fn,
                                                         void *ctx, struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    p_text(&p, model);
    p_i64(&p, limit);
    enum ap_status rc = run(from_base(base), ST_UNEMBEDDED_GAP_QUESTIONS, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    for (int i = 0; rc == AP_OK && i < PQntuples(r); i++) {
        struct ap_gap_question_rec q = {
            .id = col_i64(r, i, 0),
            .text = col_text(r, i, 1),
            .language = col_text(r, i, 2),
            .topic_id = col_i64(r, i, 3),
        };
        rc = fn(ctx, &q);
    }
    PQclear(r);
    return rc;
}

static enum ap_status pg_max_gap_question_id(struct ap_store *base, int64_t account_id,
                                             int64_t *id, struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    enum ap_status rc = run_row(from_base(base), ST_MAX_GAP_QUESTION_ID, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    *id = col_i64(r, 0, 0);
    PQclear(r);
    return AP_OK;
}

static enum ap_status pg_set_gap_question_embedding(struct ap_store *base, int64_t account_id,
                                                    int64_t question_id, const char *model,
                                                    const double *vector, size_t dims,
                                                    bool *assigned, struct ap_error *err)
{
    struct params p = {0};
    PGresult *r;
    p_i64(&p, account_id);
    p_i64(&p, question_id);
    p_bytes(&p, vector, dims * sizeof(double));
    p_text(&p, model);
    *assigned = false;
    enum ap_status rc = run(from_base(base), ST_SET_GAP_QUESTION_EMBEDDING, &p, &r, err);
    if (rc != AP_OK)
        return rc;
    *assigned = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0);
    PQclear(r);
    return AP_OK;
}

static const struct ap_store_ops pg_ops = {
    .backend = "postgres",
    .destroy = pg_destroy,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .ping = pg_ping,
    .schema_version = pg_schema_version,
    .lock_events = pg_lock_events,
    .insert_account = pg_insert_account,
    .update_account = pg_update_account,
    .get_account_by_name = pg_get_account_by_name,
    .get_account = pg_get_account,
    .select_accounts = pg_select_accounts,
    .insert_token = pg_insert_token,
    .get_token_by_hash = pg_get_token_by_hash,
    .select_tokens = pg_select_tokens,
    .revoke_token = pg_revoke_token,
    .insert_event = pg_insert_event,
    .insert_events = pg_insert_events,
    .count_events = pg_count_events,
    .get_event = pg_get_event,
    .select_conversation_events = pg_select_conversation_events,
    .select_ticket_events = pg_select_ticket_events,
    .select_event_conversations = pg_select_event_conversations,
    .get_conversation = pg_get_conversation,
    .put_conversation = pg_put_conversation,
    .select_conversations_by_start = pg_select_conversations_by_start,
    .select_quiet_conversations = pg_select_quiet_conversations,
    .add_cells = pg_add_cells,
    .select_cells = pg_select_cells,
    .delete_report_data = pg_delete_report_data,
    .set_reports_stale = pg_set_reports_stale,
    .put_member_name = pg_put_member_name,
    .select_members = pg_select_members,
    .record_gap_question = pg_record_gap_question,
    .update_gap_channels = pg_update_gap_channels,
    .gap_generation = pg_gap_generation,
    .bump_gap_generation = pg_bump_gap_generation,
    .select_gap_assignments = pg_select_gap_assignments,
    .select_pending_gap_questions = pg_select_pending_gap_questions,
    .assign_gap_question = pg_assign_gap_question,
    .insert_gap_topic = pg_insert_gap_topic,
    .select_gap_topics = pg_select_gap_topics,
    .get_gap_topic = pg_get_gap_topic,
    .select_gap_topic_questions = pg_select_gap_topic_questions,
    .select_gap_topic_latest = pg_select_gap_topic_latest,
    .get_gap_question = pg_get_gap_question,
    .rename_gap_topic = pg_rename_gap_topic,
    .set_gap_topic_dismissed = pg_set_gap_topic_dismissed,
    .set_gap_question_dismissed = pg_set_gap_question_dismissed,
    .move_gap_question = pg_move_gap_question,
    .merge_gap_topic = pg_merge_gap_topic,
    .select_gap_regroup_questions = pg_select_gap_regroup_questions,
    .regroup_gap_question = pg_regroup_gap_question,
    .refresh_gap_topic = pg_refresh_gap_topic,
    .curate_gap_question_dismissed = pg_curate_gap_question_dismissed,
    .set_gap_topic_answer = pg_set_gap_topic_answer,
    .select_conversation_bodies = pg_select_conversation_bodies,
    .insert_answer = pg_insert_answer,
    .update_answer = pg_update_answer,
    .delete_answer = pg_delete_answer,
    .get_answer = pg_get_answer,
    .select_answers = pg_select_answers,
    .get_answer_state = pg_get_answer_state,
    .set_answer_threshold = pg_set_answer_threshold,
    .get_cached_embedding = pg_get_cached_embedding,
    .put_cached_embedding = pg_put_cached_embedding,
    .select_unembedded_gap_questions = pg_select_unembedded_gap_questions,
    .set_gap_question_embedding = pg_set_gap_question_embedding,
    .max_gap_question_id = pg_max_gap_question_id,
};

enum ap_status ap_pg_open(const char *url, struct ap_store **out, struct ap_error *err)
{
    struct pg_store *s = ap_calloc(1, sizeof *s);
    s->base.ops = &pg_ops;
    s->url = ap_strdup(url);
    forget_locks(s);
    enum ap_status rc = connect_db(s, err);
    if (rc == AP_OK)
        rc = run_migrations(s, err);
    if (rc != AP_OK) {
        if (err && err->field[0] == '\0')
            ap_copy_str(err->field, sizeof err->field, "db");
        pg_destroy(&s->base);
        return rc;
    }
    *out = &s->base;
    return AP_OK;
}
