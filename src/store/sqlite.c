/* The SQLite backend: one file, WAL journal, synchronous=FULL so that a commit
 * that returned survives kill -9 and power loss. Statements are prepared once
 * per connection from the table below and reset after each use. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/backends.h"
#include "store/write_gate.h"
#include "reports/cells.h"

enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
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
    ST_QUIET_CONVERSATIONS,
    ST_CONVERSATIONS_BY_START,
    ST_ADD_CELL,
    ST_ADD_PENDING_CELL,
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
    ST_GAP_FIGURES_BY_CONVERSATIONS,
    ST_GAP_FIGURES_BY_LAST,
    ST_GAP_FIGURES_OF_TOPIC,
    ST_ADD_GAP_FIGURES,
    ST_CLEAR_GAP_FIGURES,
    ST_FILL_GAP_FIGURES,
    ST_LABEL_GAP_FIGURES,
    ST_GAP_QUESTION_TOPIC,
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
#define METRIC_PARAMS "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
#define METRIC_SUMS                                                                        \
    "conversations = conversations + excluded.conversations, "                             \
    "handled = handled + excluded.handled, resolved = resolved + excluded.resolved, "      \
    "deflected = deflected + excluded.deflected, "                                         \
    "handed_off = handed_off + excluded.handed_off, "                                      \
    "converted = converted + excluded.converted, "                                         \
    "resolution_us = resolution_us + excluded.resolution_us, "                             \
    "close_us = close_us + excluded.close_us, helpful = helpful + excluded.helpful, "      \
    "not_helpful = not_helpful + excluded.not_helpful, asked = asked + excluded.asked, "   \
    "unanswered = unanswered + excluded.unanswered, replied = replied + excluded.replied, " \
    "reply_us = reply_us + excluded.reply_us"
#define ANSWER_COLUMNS                                                                     \
    "id, question, alternatives, n_alternatives, answer, language, enabled, created_at_us, " \
    "updated_at_us"
/* ?1 account, ?2 enabled (-1 for any), ?3 search text or NULL */
#define ANSWER_FILTER                                                                        \
    "WHERE account_id = ?1 AND (?2 < 0 OR enabled = ?2) AND (?3 IS NULL OR "                \
    "instr(lower(question || char(10) || alternatives || char(10) || answer), lower(?3)) > 0)"
#define TOKEN_COLUMNS "account_id, id, role, hash, label, created_at_us, revoked_at_us"
#define GAP_QUESTION_COLUMNS                                                              \
    "id, event_id, conversation_id, at_us, text, language, embedding, channel, topic_id, " \
    "assign_seq, stemmer, similarity, dismissed"
/* The channel of a conversation: that of its earliest start (?3 = the type). */
#define CHANNEL_OF(conversation)                                                          \
    "(SELECT e.attr FROM events e WHERE e.account_id = ?1 AND e.conversation_id = "       \
    conversation " AND e.type = ?3 ORDER BY e.at_us, e.id LIMIT 1)"
#define GAP_STATUS_OF(dismissed, answer, since)                                          \
    "CASE WHEN " dismissed " <> 0 THEN 3 WHEN " answer " IS NULL THEN 0 WHEN " since       \
    " > 0 THEN 2 ELSE 1 END"
#define SINCE_ANSWER "sum(CASE WHEN q.at_us > t.answered_at_us THEN 1 ELSE 0 END)"
/* A topic's most representative question (kept in its figures), whatever
 * range or channel the table shows. */
#define GAP_LABEL_OF(topic)                                                                 \
    "(SELECT r.text FROM gap_questions r WHERE r.account_id = ?1 AND r.id = (SELECT "       \
    "a.label_question_id FROM gap_topic_figures a WHERE a.account_id = ?1 AND a.topic_id = " \
    topic " AND a.channel = '*'))"
/* One page of the topic table from gap_topic_figures (no date range; ?4 the
 * channel or NULL): the columns of ST_SELECT_GAP_TOPICS. The questions since
 * the answer are counted at read time, for answered topics only, as a range
 * of the by-topic index. The label is read for the page's rows only. */
#define GAP_FIGURES_STATUS GAP_STATUS_OF("z.dismissed", "z.answer_id", "z.since_answer")
#define GAP_FIGURES_PAGE(where, order)                                                      \
    "SELECT x.id, x.label, " GAP_LABEL_OF("x.id") ", x.dismissed, x.merged_into, x.answer_id, " \
    "x.answered_at_us, x.created_at_us, x.conversations, x.questions, x.last_at_us, "       \
    "x.since_answer, x.status, x.total FROM (SELECT z.*, " GAP_FIGURES_STATUS " AS status, " \
    "count(*) OVER () AS total FROM (SELECT t.id, t.label, t.dismissed, t.merged_into, "    \
    "t.answer_id, t.answered_at_us, t.created_at_us, f.conversations, f.questions, "        \
    "f.last_at_us, CASE WHEN t.answer_id IS NULL THEN 0 ELSE (SELECT count(*) FROM "        \
    "gap_questions r WHERE r.account_id = ?1 AND r.topic_id = t.id AND r.dismissed = 0 "    \
    "AND r.at_us > t.answered_at_us AND (?4 IS NULL OR r.channel = ?4)) END AS since_answer " \
    "FROM gap_topic_figures f JOIN gap_topics t ON t.account_id = f.account_id AND "        \
    "t.id = f.topic_id WHERE f.account_id = ?1 AND f.channel = coalesce(?4, '*') AND "      \
    "t.merged_into IS NULL AND " where ") z WHERE ?6 = -1 OR (?6 = -2 AND "                 \
    GAP_FIGURES_STATUS " <> 3) OR " GAP_FIGURES_STATUS " = ?6 ORDER BY " order              \
    " LIMIT ?8 OFFSET ?9) x ORDER BY " order

static const char *const stmt_sql[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_PING] = "SELECT 1",
    [ST_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_migrations",
    [ST_INSERT_ACCOUNT] = "INSERT INTO accounts (name, time_zone, inactivity_hours, "
                          "conversation_url, ticket_url, created_at_us, reports_stale, "
                          "default_language, embeddings) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
    [ST_UPDATE_ACCOUNT] = "UPDATE accounts SET reports_stale = CASE WHEN time_zone <> ?1 OR "
                          "inactivity_hours <> ?2 THEN 1 ELSE reports_stale END, "
                          "time_zone = ?1, inactivity_hours = ?2, "
                          "conversation_url = ?3, ticket_url = ?4, default_language = ?6, "
                          "embeddings = ?7 WHERE id = ?5",
    [ST_ACCOUNT_BY_NAME] = "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE name = ?",
    [ST_ACCOUNT_BY_ID] = "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?",
    [ST_ACCOUNTS] = "SELECT " ACCOUNT_COLUMNS " FROM accounts ORDER BY name",
    [ST_INSERT_TOKEN] = "INSERT INTO tokens (account_id, id, role, hash, label, created_at_us) "
                        "VALUES (?1, (SELECT coalesce(max(id), 0) + 1 FROM tokens WHERE "
                        "account_id = ?1), ?2, ?3, ?4, ?5) RETURNING id",
    [ST_TOKEN_BY_HASH] = "SELECT " TOKEN_COLUMNS " FROM tokens WHERE hash = ?",
    [ST_TOKENS] = "SELECT " TOKEN_COLUMNS " FROM tokens WHERE account_id = ? ORDER BY id",
    [ST_REVOKE_TOKEN] = "UPDATE tokens SET revoked_at_us = coalesce(revoked_at_us, ?) "
                        "WHERE account_id = ? AND id = ?",
    [ST_INSERT_EVENT] = "INSERT INTO events (account_id, id, conversation_id, type, at_us, body, "
                        "ticket_id, member_id, attr, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT DO NOTHING",
    [ST_EVENT_BODY] = "SELECT body FROM events WHERE account_id = ? AND id = ?",
    [ST_COUNT_EVENTS] = "SELECT count(*) FROM events WHERE account_id = ?",
    [ST_CONVERSATION_EVENTS] = "SELECT " FACT_COLUMNS " FROM events "
                               "WHERE account_id = ? AND conversation_id = ?",
    [ST_TICKET_EVENTS] = "SELECT " FACT_COLUMNS " FROM events "
                         "WHERE account_id = ? AND ticket_id = ?",
    [ST_EVENT_CONVERSATIONS] = "SELECT DISTINCT conversation_id, NULL FROM events "
                               "WHERE account_id = ?",
    [ST_GET_CONVERSATION] = "SELECT state FROM conversations WHERE account_id = ? AND id = ?",
    [ST_PUT_CONVERSATION] = "INSERT INTO conversations (account_id, id, state, quiet_at_us, "
                            "started_at_us) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account_id, id) "
                            "DO UPDATE SET state = excluded.state, quiet_at_us = excluded.quiet_at_us, "
                            "started_at_us = excluded.started_at_us",
    [ST_CONVERSATIONS_BY_START] = "SELECT id, state FROM conversations WHERE account_id = ?1 AND "
                                  "started_at_us >= ?2 AND started_at_us < ?3 AND "
                                  "(?5 IS NULL OR started_at_us > ?4 OR (started_at_us = ?4 AND "
                                  "id > ?5)) ORDER BY started_at_us, id LIMIT ?6",
    [ST_QUIET_CONVERSATIONS] = "SELECT id, state FROM conversations WHERE account_id = ? AND "
                               "quiet_at_us > ? AND quiet_at_us < ?",
    [ST_ADD_CELL] = "INSERT INTO report_cells (account_id, kind, day, channel, dim, "
                    METRIC_COLUMNS ") VALUES (?, ?, ?, ?, ?, " METRIC_PARAMS ") "
                    "ON CONFLICT (account_id, kind, day, channel, dim) DO UPDATE SET " METRIC_SUMS,
    [ST_ADD_PENDING_CELL] = "INSERT INTO report_pending (account_id, quiet_hour, kind, day, "
                            "channel, dim, " METRIC_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, "
                            METRIC_PARAMS ") ON CONFLICT (account_id, quiet_hour, kind, day, "
                            "channel, dim) DO UPDATE SET " METRIC_SUMS,
    [ST_SELECT_CELLS] = "SELECT 0, kind, day, channel, dim, " METRIC_COLUMNS " FROM report_cells "
                        "WHERE account_id = ?1 AND kind = ?2 AND day >= ?3 AND day < ?4 "
                        "AND (?5 IS NULL OR channel = ?5)",
    [ST_SELECT_PENDING_CELLS] = "SELECT quiet_hour, kind, day, channel, dim, " METRIC_COLUMNS
                                " FROM report_pending WHERE account_id = ?1 AND quiet_hour > ?6 "
                                "AND (?2 < 0 OR kind = ?2) AND day >= ?3 AND day < ?4 "
                                "AND (?5 IS NULL OR channel = ?5)",
    [ST_DELETE_CONVERSATIONS] = "DELETE FROM conversations WHERE account_id = ?",
    [ST_DELETE_CELLS] = "DELETE FROM report_cells WHERE account_id = ?",
    [ST_DELETE_PENDING_CELLS] = "DELETE FROM report_pending WHERE account_id = ?",
    [ST_SET_REPORTS_STALE] = "UPDATE accounts SET reports_stale = ? WHERE id = ?",
    [ST_PUT_MEMBER] = "INSERT INTO members (account_id, id, name, name_at_us, name_event_id) "
                      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account_id, id) DO UPDATE SET "
                      "name = excluded.name, name_at_us = excluded.name_at_us, "
                      "name_event_id = excluded.name_event_id WHERE excluded.name_at_us > "
                      "name_at_us OR (excluded.name_at_us = name_at_us AND "
                      "excluded.name_event_id > name_event_id)",
    [ST_MEMBERS] = "SELECT id, name FROM members WHERE account_id = ?",
    [ST_RECORD_GAP_QUESTION] =
        "INSERT INTO gap_questions (account_id, id, event_id, conversation_id, at_us, text, "
        "language, embedding, channel) VALUES (?1, (SELECT coalesce(max(id), 0) + 1 FROM "
        "gap_questions WHERE account_id = ?1), ?2, ?4, ?5, ?6, ?7, ?8, " CHANNEL_OF("?4") ") "
        "ON CONFLICT DO NOTHING",
    [ST_UPDATE_GAP_CHANNELS] = "UPDATE gap_questions INDEXED BY gap_questions_by_conversation "
                               "SET channel = " CHANNEL_OF("?2") " WHERE account_id = ?1 AND "
                               "conversation_id = ?2 AND channel IS NOT " CHANNEL_OF("?2")
                               " RETURNING topic_id",
    [ST_GAP_GENERATION] = "SELECT coalesce((SELECT generation FROM gap_state WHERE "
                          "account_id = ?), 0)",
    [ST_BUMP_GAP_GENERATION] = "INSERT INTO gap_state (account_id, generation) VALUES (?, 1) "
                               "ON CONFLICT (account_id) DO UPDATE SET "
                               "generation = gap_state.generation + 1",
    [ST_GAP_ASSIGNMENTS] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions WHERE "
                           "account_id = ? AND assign_seq > ? ORDER BY assign_seq",
    [ST_PENDING_GAP_QUESTIONS] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions WHERE "
                                 "account_id = ? AND topic_id IS NULL ORDER BY id LIMIT ?",
    [ST_ASSIGN_GAP_QUESTION] = "UPDATE gap_questions SET topic_id = ?3, assign_seq = ?4, "
                               "stemmer = ?5, similarity = ?6 WHERE account_id = ?1 AND id = ?2",
    [ST_INSERT_GAP_TOPIC] = "INSERT INTO gap_topics (account_id, id, created_at_us) VALUES (?1, "
                            "(SELECT coalesce(max(id), 0) + 1 FROM gap_topics WHERE "
                            "account_id = ?1), ?2) RETURNING id",
    /* One page of topics with their figures over the selected questions; the
     * label is looked up for the page only. count(*) OVER () runs after HAVING. */
    [ST_SELECT_GAP_TOPICS] =
        "SELECT x.id, x.label, " GAP_LABEL_OF("x.id") ", x.dismissed, x.merged_into, x.answer_id, x.answered_at_us, x.created_at_us, "
        "x.conversations, x.questions, x.last_at_us, x.since_answer, x.status, x.total FROM ("
        "SELECT t.id, t.label, t.dismissed, t.merged_into, t.answer_id, t.answered_at_us, "
        "t.created_at_us, count(DISTINCT q.conversation_id) AS conversations, "
        "count(*) AS questions, max(q.at_us) AS last_at_us, " SINCE_ANSWER " AS since_answer, "
        GAP_STATUS_OF("t.dismissed", "t.answer_id", SINCE_ANSWER) " AS status, "
        "count(*) OVER () AS total "
        "FROM gap_topics t JOIN gap_questions q ON q.account_id = t.account_id AND "
        "q.topic_id = t.id WHERE t.account_id = ?1 AND t.merged_into IS NULL AND "
        "q.dismissed = 0 AND q.at_us >= ?2 AND q.at_us < ?3 AND (?4 IS NULL OR q.channel = ?4) "
        "AND (?5 = 0 OR t.id = ?5) GROUP BY t.account_id, t.id "
        "HAVING ?6 = -1 OR (?6 = -2 AND " GAP_STATUS_OF("t.dismissed", "t.answer_id", SINCE_ANSWER)
        " <> 3) OR " GAP_STATUS_OF("t.dismissed", "t.answer_id", SINCE_ANSWER) " = ?6 "
        "ORDER BY CASE WHEN ?7 <> 0 THEN max(q.at_us) ELSE count(DISTINCT q.conversation_id) "
        "END DESC, max(q.at_us) DESC, t.id DESC LIMIT ?8 OFFSET ?9) x "
        "ORDER BY CASE WHEN ?7 <> 0 THEN x.last_at_us ELSE x.conversations END DESC, "
        "x.last_at_us DESC, x.id DESC",
    [ST_GAP_FIGURES_BY_CONVERSATIONS] = GAP_FIGURES_PAGE(
        "(?5 = 0 OR f.topic_id = ?5)", "conversations DESC, last_at_us DESC, id DESC"),
    [ST_GAP_FIGURES_BY_LAST] = GAP_FIGURES_PAGE("(?5 = 0 OR f.topic_id = ?5)",
                                                "last_at_us DESC, id DESC"),
    [ST_GAP_FIGURES_OF_TOPIC] = GAP_FIGURES_PAGE("f.topic_id = ?5", "id"),
    /* A question just assigned (?2) counts in its topic's rows for all
     * channels and for its own: a conversation is new to the topic when no
     * other of its undismissed questions is in it (found through the
     * conversation's few questions, not the topic's many). A higher
     * similarity makes it the topic's label; a tie keeps the earlier one. */
    [ST_ADD_GAP_FIGURES] =
        "INSERT INTO gap_topic_figures (account_id, topic_id, channel, conversations, "
        "questions, last_at_us, label_question_id, label_similarity) "
        "SELECT q.account_id, q.topic_id, c.channel, NOT EXISTS (SELECT 1 FROM gap_questions o "
        "INDEXED BY gap_questions_by_conversation WHERE o.account_id = q.account_id AND "
        "o.conversation_id = q.conversation_id AND o.topic_id = q.topic_id AND "
        "o.dismissed = 0 AND o.id <> q.id), 1, q.at_us, "
        "CASE WHEN c.channel = '*' THEN q.id END, CASE WHEN c.channel = '*' THEN q.similarity END "
        "FROM gap_questions q JOIN (SELECT '*' AS channel UNION ALL SELECT channel FROM "
        "gap_questions WHERE account_id = ?1 AND id = ?2 AND channel IS NOT NULL) c "
        "WHERE q.account_id = ?1 AND q.id = ?2 AND q.topic_id IS NOT NULL AND q.dismissed = 0 "
        "ON CONFLICT (account_id, topic_id, channel) DO UPDATE SET "
        "conversations = conversations + excluded.conversations, questions = questions + 1, "
        "last_at_us = max(last_at_us, excluded.last_at_us), label_question_id = CASE WHEN "
        "excluded.label_similarity > label_similarity THEN excluded.label_question_id ELSE "
        "label_question_id END, label_similarity = CASE WHEN excluded.label_similarity > "
        "label_similarity THEN excluded.label_similarity ELSE label_similarity END",
    /* A topic's rows computed anew from its questions (after a curation). */
    [ST_CLEAR_GAP_FIGURES] = "DELETE FROM gap_topic_figures WHERE account_id = ?1 AND "
                             "topic_id = ?2",
    [ST_FILL_GAP_FIGURES] =
        "INSERT INTO gap_topic_figures (account_id, topic_id, channel, conversations, "
        "questions, last_at_us) SELECT ?1, ?2, '*', count(DISTINCT conversation_id), "
        "count(*), max(at_us) FROM gap_questions WHERE account_id = ?1 AND topic_id = ?2 AND "
        "dismissed = 0 HAVING count(*) > 0 UNION ALL SELECT ?1, ?2, channel, "
        "count(DISTINCT conversation_id), count(*), max(at_us) FROM gap_questions WHERE "
        "account_id = ?1 AND topic_id = ?2 AND dismissed = 0 AND channel IS NOT NULL "
        "GROUP BY channel",
    [ST_LABEL_GAP_FIGURES] =
        "UPDATE gap_topic_figures SET (label_question_id, label_similarity) = (SELECT id, "
        "similarity FROM gap_questions WHERE account_id = ?1 AND topic_id = ?2 AND "
        "dismissed = 0 ORDER BY similarity DESC, id LIMIT 1) WHERE account_id = ?1 AND "
        "topic_id = ?2 AND channel = '*'",
    [ST_GAP_QUESTION_TOPIC] = "SELECT coalesce(topic_id, 0) FROM gap_questions WHERE "
                              "account_id = ? AND id = ?",
    [ST_GET_GAP_TOPIC] = "SELECT id, label, NULL, dismissed, merged_into, answer_id, "
                         "answered_at_us, created_at_us, 0, 0, 0, 0, "
                         GAP_STATUS_OF("dismissed", "answer_id", "0") ", 1 FROM gap_topics "
                         "WHERE account_id = ? AND id = ?",
    /* Through the by-topic index: without it SQLite walks the account's
     * questions in time order (for the ORDER BY), all of them for each topic. */
    [ST_GAP_TOPIC_QUESTIONS] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions INDEXED BY "
                               "gap_questions_by_topic WHERE account_id = ? AND topic_id = ? "
                               "ORDER BY at_us DESC, id DESC LIMIT ? OFFSET ?",
    /* A range of the by-topic index, newest first, stopping at the limit. */
    [ST_GAP_TOPIC_LATEST] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions INDEXED BY "
                            "gap_questions_by_topic WHERE account_id = ?1 AND topic_id = ?2 AND "
                            "dismissed = 0 AND at_us >= ?3 AND at_us < ?4 AND (?5 IS NULL OR "
                            "channel = ?5) ORDER BY at_us DESC LIMIT ?6",
    [ST_GET_GAP_QUESTION] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions WHERE "
                            "account_id = ? AND id = ?",
    [ST_RENAME_GAP_TOPIC] = "UPDATE gap_topics SET label = ?3 WHERE account_id = ?1 AND id = ?2 "
                            "AND merged_into IS NULL",
    [ST_SET_GAP_TOPIC_DISMISSED] = "UPDATE gap_topics SET dismissed = ?3 WHERE account_id = ?1 "
                                   "AND id = ?2 AND merged_into IS NULL",
    [ST_SET_GAP_QUESTION_DISMISSED] = "UPDATE gap_questions SET dismissed = ?3, pinned = 1 WHERE "
                                      "account_id = ?1 AND id = ?2",
    [ST_CURATE_GAP_QUESTION_DISMISSED] = "UPDATE gap_questions SET dismissed = ?4, pinned = 1 "
                                         "WHERE account_id = ?1 AND topic_id = ?2 AND id = ?3",
    [ST_MOVE_GAP_QUESTION] = "UPDATE gap_questions SET topic_id = ?3, pinned = 1 WHERE account_id = ?1 AND "
                             "id = ?2 AND topic_id IS NOT NULL",
    [ST_REGROUP_GAP_QUESTIONS] = "SELECT " GAP_QUESTION_COLUMNS " FROM gap_questions WHERE account_id = ?1 AND "
        "topic_id IS NOT NULL AND pinned = 0 AND dismissed = 0 AND topic_id IN (SELECT id FROM "
        "gap_topics WHERE account_id = ?1 AND label IS NULL AND dismissed = 0 AND "
        "merged_into IS NULL AND answer_id IS NULL) ORDER BY id",
    [ST_REGROUP_GAP_QUESTION] = "UPDATE gap_questions SET topic_id = ?3, similarity = ?4 WHERE "
                                "account_id = ?1 AND id = ?2",
    [ST_MERGE_GAP_QUESTIONS] = "UPDATE gap_questions SET topic_id = ?3, pinned = 1 WHERE account_id = ?1 AND "
                               "topic_id = ?2",
    [ST_MARK_GAP_TOPIC_MERGED] = "UPDATE gap_topics SET merged_into = ?3 WHERE account_id = ?1 "
                                 "AND id = ?2 AND merged_into IS NULL",
    [ST_SET_GAP_TOPIC_ANSWER] = "UPDATE gap_topics SET answer_id = ?3, answered_at_us = ?4 "
                                "WHERE account_id = ?1 AND id = ?2 AND merged_into IS NULL",
    [ST_CONVERSATION_BODIES] = "SELECT id, body FROM events WHERE account_id = ? AND "
                               "conversation_id = ? AND type = ? ORDER BY at_us, id",
    [ST_INSERT_ANSWER] = "INSERT INTO answers (account_id, " ANSWER_COLUMNS ") VALUES "
                         "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING",
    [ST_UPDATE_ANSWER] = "UPDATE answers SET question = ?3, alternatives = ?4, n_alternatives = ?5, "
                         "answer = ?6, language = ?7, enabled = ?8, updated_at_us = ?10 "
                         "WHERE account_id = ?1 AND id = ?2",
    [ST_DELETE_ANSWER] = "DELETE FROM answers WHERE account_id = ? AND id = ?",
    [ST_GET_ANSWER] = "SELECT " ANSWER_COLUMNS " FROM answers WHERE account_id = ? AND id = ?",
    [ST_SELECT_ANSWERS] = "SELECT " ANSWER_COLUMNS " FROM answers " ANSWER_FILTER
                          " ORDER BY created_at_us, id LIMIT ?4 OFFSET ?5",
    [ST_COUNT_ANSWERS] = "SELECT count(*) FROM answers " ANSWER_FILTER,
    [ST_BUMP_ANSWERS] = "INSERT INTO answer_state (account_id, version) VALUES (?1, 1) "
                        "ON CONFLICT (account_id) DO UPDATE SET version = version + 1",
    [ST_ANSWER_STATE] = "SELECT version, match_threshold FROM answer_state WHERE account_id = ?",
    [ST_SET_ANSWER_THRESHOLD] = "INSERT INTO answer_state (account_id, version, match_threshold) "
                                "VALUES (?1, 0, ?2) ON CONFLICT (account_id) DO UPDATE SET "
                                "match_threshold = excluded.match_threshold",
    [ST_GET_CACHED_EMBEDDING] = "SELECT dims, vector FROM embedding_cache WHERE model = ?1 "
                                "AND text_hash = ?2",
    [ST_PUT_CACHED_EMBEDDING] = "INSERT INTO embedding_cache (model, text_hash, dims, vector, "
                                "created_at_us) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
    /* the questions without an embedding (partial index), then those of
     * another model; not yet assigned ones first */
    [ST_UNEMBEDDED_GAP_QUESTIONS] =
        "SELECT id, text, language, topic_id FROM (SELECT id, text, language, topic_id FROM "
        "gap_questions WHERE account_id = ?1 AND embedding IS NULL UNION ALL SELECT id, text, "
        "language, topic_id FROM gap_questions WHERE account_id = ?1 AND embedding_model IS NOT "
        "NULL AND (embedding_model < ?2 OR embedding_model > ?2)) ORDER BY topic_id IS NOT "
        "NULL, id LIMIT ?3",
    [ST_MAX_GAP_QUESTION_ID] = "SELECT coalesce(max(id), 0) FROM gap_questions WHERE "
                               "account_id = ?",
    [ST_SET_GAP_QUESTION_EMBEDDING] =
        "UPDATE gap_questions SET embedding = ?3, embedding_model = ?4 WHERE account_id = ?1 "
        "AND id = ?2 AND (embedding IS NULL OR embedding_model IS NOT NULL) RETURNING topic_id",
};

struct sqlite_store {
    struct ap_store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[ST__COUNT];
    struct ap_write_gate *gate; /* the file's writers in this process queue here */
    bool in_gate;               /* between begin and commit or rollback */
};

static struct sqlite_store *from_base(struct ap_store *s)
{
    return (struct sqlite_store *)s;
}

/* Maps a SQLite result code to a status: lock contention is the soft error,
 * a full disk or read-only file means the store is unavailable. */
static enum ap_status sqlite_error(struct sqlite_store *s, int rc, struct ap_error *err)
{
    int base = rc & 0xff;
    enum ap_status status;
    switch (base) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        status = AP_BUSY;
        break;
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        status = AP_UNAVAILABLE;
        break;
    default:
        status = AP_STORAGE;
    }
    return ap_error_set(err, status, "", "database: %s",
                        s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

static sqlite3_stmt *stmt(struct sqlite_store *s, enum stmt_id id)
{
    return s->stmt[id];
}

/* Runs a statement that returns no rows. */
static enum ap_status exec_stmt(struct sqlite_store *s, sqlite3_stmt *st, struct ap_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sqlite_error(s, rc, err);
    return AP_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void copy_column(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    ap_copy_str(dst, size, (const char *)sqlite3_column_text(st, col));
}

static enum ap_status run_migrations(struct sqlite_store *s, struct ap_error *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db,
                          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                          "KEY, name TEXT NOT NULL, applied_at_us INTEGER NOT NULL)",
                          NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        goto fail;
    for (size_t i = 0; i < ap_sqlite_migration_count; i++) {
        const struct ap_migration *m = &ap_sqlite_migrations[i];
        sqlite3_stmt *check;
        if ((rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &msg)) != SQLITE_OK)
            goto fail;
        rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM schema_migrations WHERE version = ?", -1,
                                &check, NULL);
        if (rc != SQLITE_OK)
            goto fail_rollback;
        sqlite3_bind_int(check, 1, m->version);
        int applied = sqlite3_step(check) == SQLITE_ROW;
        sqlite3_finalize(check);
        if (!applied) {
            if ((rc = sqlite3_exec(s->db, m->sql, NULL, NULL, &msg)) != SQLITE_OK)
                goto fail_rollback;
            sqlite3_stmt *mark;
            rc = sqlite3_prepare_v2(s->db,
                                    "INSERT INTO schema_migrations (version, name, applied_at_us) "
                                    "VALUES (?, ?, ?)",
                                    -1, &mark, NULL);
            if (rc != SQLITE_OK)
                goto fail_rollback;
            sqlite3_bind_int(mark, 1, m->version);
            bind_text(mark, 2, m->name);
            sqlite3_bind_int64(mark, 3, ap_time_now_us());
            rc = sqlite3_step(mark);
            sqlite3_finalize(mark);
            if (rc != SQLITE_DONE)
                goto fail_rollback;
        }
        if ((rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, &msg)) != SQLITE_OK)
            goto fail_rollback;
    }
    return AP_OK;

fail_rollback:
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
fail:
    ap_error_set(err, (rc & 0xff) == SQLITE_BUSY ? AP_BUSY : AP_STORAGE, "db",
                 "database migration failed: %s", msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return err ? err->status : AP_STORAGE;
}

static void sqlite_destroy(struct ap_store *base)
{
    struct sqlite_store *s = from_base(base);
    if (s == NULL)
        return;
    if (s->in_gate) { /* destroyed inside a transaction: end it, let the next writer in */
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        s->in_gate = false;
        ap_write_gate_leave(s->gate);
    }
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    ap_write_gate_release(s->gate);
    free(s);
}

static void leave_gate(struct sqlite_store *s)
{
    if (s->in_gate && sqlite3_get_autocommit(s->db)) {
        s->in_gate = false;
        ap_write_gate_leave(s->gate);
    }
}

/* Write transactions take the file's gate first (write_gate.h), then
 * SQLite's write lock, which is then free unless another process holds it. */
static enum ap_status sqlite_begin(struct ap_store *base, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    if (!s->in_gate) {
        ap_write_gate_enter(s->gate);
        s->in_gate = true;
    }
    enum ap_status rc = exec_stmt(s, stmt(s, ST_BEGIN), err);
    leave_gate(s); /* when BEGIN failed */
    return rc;
}

static enum ap_status sqlite_commit(struct ap_store *base, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    enum ap_status rc = exec_stmt(s, stmt(s, ST_COMMIT), err);
    leave_gate(s); /* a failed commit keeps the transaction, and the gate, until rollback */
    return rc;
}

static void sqlite_rollback(struct ap_store *base)
{
    struct sqlite_store *s = from_base(base);
    if (!sqlite3_get_autocommit(s->db))
        exec_stmt(s, stmt(s, ST_ROLLBACK), NULL);
    leave_gate(s);
}

/* Runs a one-row query; AP_NOT_FOUND when it returns no row. The statement is
 * left on its row for the caller to read, who must reset it. */
static enum ap_status step_row(struct sqlite_store *s, sqlite3_stmt *st, struct ap_error *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return AP_OK;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_DONE)
        return ap_error_set(err, AP_NOT_FOUND, "", NULL);
    return sqlite_error(s, rc, err);
}

static void finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static enum ap_status sqlite_ping(struct ap_store *base, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    enum ap_status rc = step_row(s, stmt(s, ST_PING), err);
    if (rc == AP_OK)
        finish(stmt(s, ST_PING));
    return rc;
}

static enum ap_status sqlite_schema_version(struct ap_store *base, int *version,
                                            struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_SCHEMA_VERSION);
    enum ap_status rc = step_row(s, st, err);
    if (rc == AP_OK) {
        *version = sqlite3_column_int(st, 0);
        finish(st);
    }
    return rc;
}

static enum ap_status sqlite_checkpoint_log(struct ap_store *base, enum ap_checkpoint_mode mode,
                                            int64_t *log_bytes, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    int log_frames = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL,
                                       mode == AP_CHECKPOINT_TRUNCATE ? SQLITE_CHECKPOINT_TRUNCATE
                                                                      : SQLITE_CHECKPOINT_PASSIVE,
                                       &log_frames, &copied);
    *log_bytes = log_frames > 0 ? (int64_t)log_frames * (4096 + 24) : 0;
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
        return sqlite_error(s, rc, err);
    return AP_OK;
}

static void sqlite_set_auto_checkpoint(struct ap_store *base, int pages)
{
    sqlite3_wal_autocheckpoint(from_base(base)->db, pages);
}

/* Creates the database file readable by its owner only, when it does not exist
 * yet: it holds conversation text and token hashes. SQLite gives its -wal and
 * -shm files the main file's mode, so they are private too. An existing file
 * keeps the mode its owner chose. */
static enum ap_status create_private_file(const char *path, struct ap_error *err)
{
    if (strcmp(path, ":memory:") == 0 || path[0] == '\0')
        return AP_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return AP_OK;
    }
    if (errno == EEXIST)
        return AP_OK;
    return ap_error_set(err, AP_UNAVAILABLE, "db", "cannot create database \"%s\": %s", path,
                        strerror(errno));
}

/* SQLite's online backup in one step: the copy is the database as of the
 * step's read transaction, and in WAL mode writers go on meanwhile. The
 * target is synced before it is closed. */
static enum ap_status sqlite_copy_to(struct ap_store *base, const char *path,
                                     struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3 *dest = NULL;
    if (create_private_file(path, err) != AP_OK)
        return err->status;
    int rc = sqlite3_open_v2(path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(dest, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(dest, "main", s->db, "main");
        if (b == NULL) {
            rc = sqlite3_errcode(dest);
        } else {
            do {
                rc = sqlite3_backup_step(b, -1);
                if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                    sqlite3_sleep(50);
            } while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
            rc = sqlite3_backup_finish(b) == SQLITE_OK && rc == SQLITE_DONE ? SQLITE_OK
                                                                             : sqlite3_errcode(dest);
        }
    }
    enum ap_status status = AP_OK;
    if (rc != SQLITE_OK)
        status = ap_error_set(err, (rc & 0xff) == SQLITE_FULL ? AP_UNAVAILABLE : AP_IO, "out",
                              "cannot copy the database to \"%s\": %s", path,
                              dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
    sqlite3_close(dest);
    return status;
}

static void read_account(sqlite3_stmt *st, struct ap_account *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    copy_column(a->name, sizeof a->name, st, 1);
    copy_column(a->time_zone, sizeof a->time_zone, st, 2);
    a->inactivity_hours = sqlite3_column_int(st, 3);
    copy_column(a->conversation_url, sizeof a->conversation_url, st, 4);
    copy_column(a->ticket_url, sizeof a->ticket_url, st, 5);
    a->created_at_us = sqlite3_column_int64(st, 6);
    a->reports_stale = sqlite3_column_int(st, 7) != 0;
    copy_column(a->default_language, sizeof a->default_language, st, 8);
    a->embeddings = sqlite3_column_int(st, 9) != 0;
}

static enum ap_status sqlite_insert_account(struct ap_store *base, struct ap_account *a,
                                            struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_INSERT_ACCOUNT);
    bind_text(st, 1, a->name);
    bind_text(st, 2, a->time_zone);
    sqlite3_bind_int(st, 3, a->inactivity_hours);
    bind_text(st, 4, a->conversation_url);
    bind_text(st, 5, a->ticket_url);
    sqlite3_bind_int64(st, 6, a->created_at_us);
    bind_text(st, 7, a->default_language);
    sqlite3_bind_int(st, 8, a->embeddings);
    int rc = sqlite3_step(st);
    finish(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return ap_error_set(err, AP_EXISTS, "name", "an account named \"%s\" already exists",
                            a->name);
    if (rc != SQLITE_DONE)
        return sqlite_error(s, rc, err);
    a->id = sqlite3_last_insert_rowid(s->db);
    return AP_OK;
}

static enum ap_status sqlite_update_account(struct ap_store *base, const struct ap_account *a,
                                            struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_UPDATE_ACCOUNT);
    bind_text(st, 1, a->time_zone);
    sqlite3_bind_int(st, 2, a->inactivity_hours);
    bind_text(st, 3, a->conversation_url);
    bind_text(st, 4, a->ticket_url);
    sqlite3_bind_int64(st, 5, a->id);
    bind_text(st, 6, a->default_language);
    sqlite3_bind_int(st, 7, a->embeddings);
    enum ap_status rc = exec_stmt(s, st, err);
    if (rc == AP_OK && sqlite3_changes(s->db) == 0)
        return ap_error_set(err, AP_NOT_FOUND, "account", "no such account");
    return rc;
}

static enum ap_status get_account_row(struct sqlite_store *s, sqlite3_stmt *st,
                                      struct ap_account *out, struct ap_error *err)
{
    enum ap_status rc = step_row(s, st, err);
    if (rc != AP_OK)
        return rc;
    read_account(st, out);
    finish(st);
    return AP_OK;
}

static enum ap_status sqlite_get_account_by_name(struct ap_store *base, const char *name,
                                                 struct ap_account *out, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_ACCOUNT_BY_NAME);
    bind_text(st, 1, name);
    enum ap_status rc = get_account_row(s, st, out, err);
    if (rc == AP_NOT_FOUND)
        ap_error_set(err, AP_NOT_FOUND, "account", "no account named \"%.64s\"", name);
    return rc;
}

static enum ap_status sqlite_get_account(struct ap_store *base, int64_t id,
                                         struct ap_account *out, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_ACCOUNT_BY_ID);
    sqlite3_bind_int64(st, 1, id);
    return get_account_row(s, st, out, err);
}

static enum ap_status sqlite_select_accounts(struct ap_store *base, ap_account_fn fn, void *ctx,
                                             struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_ACCOUNTS);
    enum ap_status status = AP_OK;
    int rc;
    while (status == AP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ap_account a;
        read_account(st, &a);
        status = fn(ctx, &a);
    }
    if (status == AP_OK && rc != SQLITE_DONE)
        status = sqlite_error(s, rc, err);
    finish(st);
    return status;
}

static void read_token(sqlite3_stmt *st, struct ap_token *t)
{
    memset(t, 0, sizeof *t);
    t->account_id = sqlite3_column_int64(st, 0);
    t->id = sqlite3_column_int64(st, 1);
    ap_role_parse((const char *)sqlite3_column_text(st, 2), &t->role);
    if (sqlite3_column_bytes(st, 3) == AP_TOKEN_HASH_SIZE)
        memcpy(t->hash, sqlite3_column_blob(st, 3), AP_TOKEN_HASH_SIZE);
    copy_column(t->label, sizeof t->label, st, 4);
    t->created_at_us = sqlite3_column_int64(st, 5);
    t->revoked_at_us = sqlite3_column_int64(st, 6);
}

static enum ap_status sqlite_insert_token(struct ap_store *base, struct ap_token *t,
                                          struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_INSERT_TOKEN);
    sqlite3_bind_int64(st, 1, t->account_id);
    bind_text(st, 2, ap_role_name(t->role));
    sqlite3_bind_blob(st, 3, t->hash, AP_TOKEN_HASH_SIZE, SQLITE_STATIC);
    bind_text(st, 4, t->label);
    sqlite3_bind_int64(st, 5, t->created_at_us);
    enum ap_status rc = step_row(s, st, err);
    if (rc != AP_OK)
        return rc;
    t->id = sqlite3_column_int64(st, 0);
    finish(st);
    return AP_OK;
}

static enum ap_status sqlite_get_token_by_hash(struct ap_store *base,
                                               const uint8_t hash[AP_TOKEN_HASH_SIZE],
                                               struct ap_token *out, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_TOKEN_BY_HASH);
    sqlite3_bind_blob(st, 1, hash, AP_TOKEN_HASH_SIZE, SQLITE_STATIC);
    enum ap_status rc = step_row(s, st, err);
    if (rc != AP_OK)
        return rc;
    read_token(st, out);
    finish(st);
    return AP_OK;
}

static enum ap_status sqlite_select_tokens(struct ap_store *base, int64_t account_id,
                                           ap_token_fn fn, void *ctx, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_TOKENS);
    enum ap_status status = AP_OK;
    int rc;
    sqlite3_bind_int64(st, 1, account_id);
    while (status == AP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ap_token t;
        read_token(st, &t);
        status = fn(ctx, &t);
    }
    if (status == AP_OK && rc != SQLITE_DONE)
        status = sqlite_error(s, rc, err);
    finish(st);
    return status;
}

static enum ap_status sqlite_revoke_token(struct ap_store *base, int64_t account_id,
                                          int64_t token_id, int64_t now_us, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_REVOKE_TOKEN);
    sqlite3_bind_int64(st, 1, now_us);
    sqlite3_bind_int64(st, 2, account_id);
    sqlite3_bind_int64(st, 3, token_id);
    enum ap_status rc = exec_stmt(s, st, err);
    if (rc == AP_OK && sqlite3_changes(s->db) == 0)
        return ap_error_set(err, AP_NOT_FOUND, "token", "no token %lld in this account",
                            (long long)token_id);
    return rc;
}

/* Compares a stored body with the new canonical form when the id exists. */
static enum ap_status compare_existing(struct sqlite_store *s, int64_t account_id,
                                       const struct ap_event *ev, enum ap_verdict *verdict,
                                       struct ap_error *err)
{
    sqlite3_stmt *st = stmt(s, ST_EVENT_BODY);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, ev->id);
    enum ap_status rc = step_row(s, st, err);
    if (rc != AP_OK)
        return rc == AP_NOT_FOUND ? ap_error_set(err, AP_STORAGE, "", "event vanished") : rc;
    size_t len = (size_t)sqlite3_column_bytes(st, 0);
    const void *body = sqlite3_column_blob(st, 0);
    bool same = len == ev->canonical_len && memcmp(body, ev->canonical, len) == 0;
    finish(st);
    *verdict = same ? AP_VERDICT_DUPLICATE : AP_VERDICT_CONFLICT;
    return AP_OK;
}

static enum ap_status sqlite_insert_event(struct ap_store *base, int64_t account_id,
                                          const struct ap_event *ev, enum ap_verdict *verdict,
                                          struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_INSERT_EVENT);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, ev->id);
    bind_text(st, 3, ev->conversation_id);
    sqlite3_bind_int(st, 4, (int)ev->type);
    sqlite3_bind_int64(st, 5, ev->at_us);
    sqlite3_bind_text(st, 6, ev->canonical, (int)ev->canonical_len, SQLITE_STATIC);
    if (ev->ticket_id)
        bind_text(st, 7, ev->ticket_id);
    if (ev->member_id)
        bind_text(st, 8, ev->member_id);
    if (ap_event_fact_attr(ev))
        bind_text(st, 9, ap_event_fact_attr(ev));
    sqlite3_bind_int(st, 10, ap_event_fact_flags(ev));
    enum ap_status rc = exec_stmt(s, st, err);
    if (rc != AP_OK)
        return rc;
    if (sqlite3_changes(s->db) == 1) {
        *verdict = AP_VERDICT_STORED;
        return AP_OK;
    }
    return compare_existing(s, account_id, ev, verdict, err);
}

static enum ap_status sqlite_count_events(struct ap_store *base, int64_t account_id,
                                          int64_t *count, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_COUNT_EVENTS);
    sqlite3_bind_int64(st, 1, account_id);
    enum ap_status rc = step_row(s, st, err);
    if (rc != AP_OK)
        return rc;
    *count = sqlite3_column_int64(st, 0);
    finish(st);
    return AP_OK;
}

static enum ap_status sqlite_get_event(struct ap_store *base, int64_t account_id, const char *id,
                                       struct ap_buf *out, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_EVENT_BODY);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, id);
    enum ap_status rc = step_row(s, st, err);
    if (rc != AP_OK)
        return rc;
    rc = ap_buf_append(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
    finish(st);
    return rc;
}

/* Runs a query whose rows are (key TEXT, blob) and hands each to fn. */
static enum ap_status select_blobs(struct sqlite_store *s, sqlite3_stmt *st, ap_blob_fn fn,
                                   void *ctx, struct ap_error *err)
{
    enum ap_status status = AP_OK;
    int rc;
    while (status == AP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const void *blob = sqlite3_column_blob(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        status = fn(ctx, key ? key : "", blob, len);
    }
    if (status == AP_OK && rc != SQLITE_DONE)
        status = sqlite_error(s, rc, err);
    finish(st);
    return status;
}

static const char *column_or_null(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

/* Runs a query over FACT_COLUMNS and hands each event's facts to fn. */
static enum ap_status select_facts(struct sqlite_store *s, sqlite3_stmt *st, ap_event_fn fn,
                                   void *ctx, struct ap_error *err)
{
    enum ap_status status = AP_OK;
    int rc;
    while (status == AP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ap_event ev;
        ap_event_from_facts(&ev, column_or_null(st, 0), (enum ap_event_type)sqlite3_column_int(st, 1),
                            sqlite3_column_int64(st, 2), column_or_null(st, 3),
                            sqlite3_column_int(st, 4), column_or_null(st, 5),
                            column_or_null(st, 6), column_or_null(st, 7));
        status = fn(ctx, &ev);
    }
    if (status == AP_OK && rc != SQLITE_DONE)
        status = sqlite_error(s, rc, err);
    finish(st);
    return status;
}

static enum ap_status sqlite_select_conversation_events(struct ap_store *base, int64_t account_id,
                                                        const char *conversation_id, ap_event_fn fn,
                                                        void *ctx, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_CONVERSATION_EVENTS);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, conversation_id);
    return select_facts(s, st, fn, ctx, err);
}

static enum ap_status sqlite_select_ticket_events(struct ap_store *base, int64_t account_id,
                                                  const char *ticket_id, ap_event_fn fn, void *ctx,
                                                  struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_TICKET_EVENTS);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, ticket_id);
    return select_facts(s, st, fn, ctx, err);
}

static enum ap_status sqlite_select_event_conversations(struct ap_store *base, int64_t account_id,
                                                        ap_blob_fn fn, void *ctx,
                                                        struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_EVENT_CONVERSATIONS);
    sqlite3_bind_int64(st, 1, account_id);
    return select_blobs(s, st, fn, ctx, err);
}

static enum ap_status sqlite_get_conversation(struct ap_store *base, int64_t account_id,
                                              const char *conversation_id, struct ap_buf *out,
                                              struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_GET_CONVERSATION);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, conversation_id);
    enum ap_status rc = step_row(s, st, err);
    if (rc != AP_OK)
        return rc;
    rc = ap_buf_append(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
    finish(st);
    return rc;
}

static enum ap_status sqlite_put_conversation(struct ap_store *base, int64_t account_id,
                                              const char *conversation_id, const void *state,
                                              size_t len, int64_t quiet_at_us,
                                              int64_t started_at_us, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_PUT_CONVERSATION);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, conversation_id);
    sqlite3_bind_blob(st, 3, state, (int)len, SQLITE_STATIC);
    if (quiet_at_us >= 0)
        sqlite3_bind_int64(st, 4, quiet_at_us);
    if (started_at_us != AP_NOT_STARTED)
        sqlite3_bind_int64(st, 5, started_at_us);
    return exec_stmt(s, st, err);
}

static enum ap_status sqlite_select_conversations_by_start(
    struct ap_store *base, int64_t account_id, int64_t from_us, int64_t to_us,
    int64_t after_started_us, const char *after_id, size_t limit, ap_blob_fn fn, void *ctx,
    struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_CONVERSATIONS_BY_START);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, from_us);
    sqlite3_bind_int64(st, 3, to_us);
    sqlite3_bind_int64(st, 4, after_started_us);
    if (after_id)
        bind_text(st, 5, after_id);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)limit);
    return select_blobs(s, st, fn, ctx, err);
}

static enum ap_status sqlite_select_quiet_conversations(struct ap_store *base, int64_t account_id,
                                                        int64_t after_us, int64_t before_us,
                                                        ap_blob_fn fn, void *ctx,
                                                        struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_QUIET_CONVERSATIONS);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, after_us);
    sqlite3_bind_int64(st, 3, before_us);
    return select_blobs(s, st, fn, ctx, err);
}

static enum ap_status sqlite_add_cells(struct ap_store *base, int64_t account_id,
                                       const struct ap_cell *cells, size_t n, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    for (size_t i = 0; i < n; i++) {
        const struct ap_cell *c = &cells[i];
        bool all_zero = true;
        for (int m = 0; m < AP_M__COUNT; m++)
            all_zero &= c->v[m] == 0;
        if (all_zero)
            continue;
        sqlite3_stmt *st = stmt(s, c->key.pending ? ST_ADD_PENDING_CELL : ST_ADD_CELL);
        int col = 1;
        sqlite3_bind_int64(st, col++, account_id);
        if (c->key.pending)
            sqlite3_bind_int64(st, col++, c->key.quiet_hour);
        sqlite3_bind_int(st, col++, c->key.kind);
        sqlite3_bind_int64(st, col++, c->key.day);
        bind_text(st, col++, c->key.channel);
        bind_text(st, col++, c->key.dim);
        for (int m = 0; m < AP_M__COUNT; m++)
            sqlite3_bind_int64(st, col++, c->v[m]);
        enum ap_status rc = exec_stmt(s, st, err);
        if (rc != AP_OK)
            return rc;
    }
    return AP_OK;
}

static enum ap_status sqlite_select_cells(struct ap_store *base, int64_t account_id,
                                          const struct ap_cell_query *q, ap_cell_fn fn, void *ctx,
                                          struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, q->pending ? ST_SELECT_PENDING_CELLS : ST_SELECT_CELLS);
    enum ap_status status = AP_OK;
    int rc;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int(st, 2, q->kind);
    sqlite3_bind_int64(st, 3, q->day_from);
    sqlite3_bind_int64(st, 4, q->day_to);
    if (q->channel)
        bind_text(st, 5, q->channel);
    if (q->pending)
        sqlite3_bind_int64(st, 6, q->after_hour);
    while (status == AP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ap_cell c;
        memset(&c.key, 0, sizeof c.key);
        c.key.pending = q->pending;
        c.key.quiet_hour = sqlite3_column_int64(st, 0);
        c.key.kind = sqlite3_column_int(st, 1);
        c.key.day = sqlite3_column_int64(st, 2);
        copy_column(c.key.channel, sizeof c.key.channel, st, 3);
        copy_column(c.key.dim, sizeof c.key.dim, st, 4);
        for (int m = 0; m < AP_M__COUNT; m++)
            c.v[m] = sqlite3_column_int64(st, 5 + m);
        status = fn(ctx, &c);
    }
    if (status == AP_OK && rc != SQLITE_DONE)
        status = sqlite_error(s, rc, err);
    finish(st);
    return status;
}

static enum ap_status sqlite_delete_report_data(struct ap_store *base, int64_t account_id,
                                                struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    static const enum stmt_id deletes[] = {ST_DELETE_CONVERSATIONS, ST_DELETE_CELLS,
                                           ST_DELETE_PENDING_CELLS};
    for (size_t i = 0; i < sizeof deletes / sizeof deletes[0]; i++) {
        sqlite3_stmt *st = stmt(s, deletes[i]);
        sqlite3_bind_int64(st, 1, account_id);
        enum ap_status rc = exec_stmt(s, st, err);
        if (rc != AP_OK)
            return rc;
    }
    return AP_OK;
}

static enum ap_status sqlite_set_reports_stale(struct ap_store *base, int64_t account_id,
                                               bool stale, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_SET_REPORTS_STALE);
    sqlite3_bind_int(st, 1, stale);
    sqlite3_bind_int64(st, 2, account_id);
    return exec_stmt(s, st, err);
}

static enum ap_status sqlite_put_member_name(struct ap_store *base, int64_t account_id,
                                             const char *member_id, const char *name,
                                             int64_t at_us, const char *event_id,
                                             struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_PUT_MEMBER);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, member_id);
    bind_text(st, 3, name);
    sqlite3_bind_int64(st, 4, at_us);
    bind_text(st, 5, event_id);
    return exec_stmt(s, st, err);
}

static enum ap_status sqlite_select_members(struct ap_store *base, int64_t account_id,
                                            ap_member_fn fn, void *ctx, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_MEMBERS);
    enum ap_status status = AP_OK;
    int rc;
    sqlite3_bind_int64(st, 1, account_id);
    while (status == AP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        status = fn(ctx, (const char *)sqlite3_column_text(st, 0),
                    (const char *)sqlite3_column_text(st, 1));
    if (status == AP_OK && rc != SQLITE_DONE)
        status = sqlite_error(s, rc, err);
    finish(st);
    return status;
}

/* --- knowledge gaps -------------------------------------------------------------------- */

/* Runs an UPDATE that must touch a row; AP_NOT_FOUND when it touched none. */
static enum ap_status exec_update(struct sqlite_store *s, sqlite3_stmt *st, struct ap_error *err)
{
    enum ap_status rc = exec_stmt(s, st, err);
    if (rc == AP_OK && sqlite3_changes(s->db) == 0)
        return ap_error_set(err, AP_NOT_FOUND, "", NULL);
    return rc;
}

/* Computes a topic's rows of gap_topic_figures anew from its questions. */
static enum ap_status refresh_gap_figures(struct sqlite_store *s, int64_t account_id,
                                          int64_t topic_id, struct ap_error *err)
{
    static const enum stmt_id steps[] = {ST_CLEAR_GAP_FIGURES, ST_FILL_GAP_FIGURES,
                                         ST_LABEL_GAP_FIGURES};
    enum ap_status rc = AP_OK;
    for (size_t i = 0; rc == AP_OK && i < sizeof steps / sizeof *steps; i++) {
        sqlite3_stmt *st = stmt(s, steps[i]);
        sqlite3_bind_int64(st, 1, account_id);
        sqlite3_bind_int64(st, 2, topic_id);
        rc = exec_stmt(s, st, err);
    }
    return rc;
}

/* The topic a question is in (0: none yet); AP_NOT_FOUND without the question. */
static enum ap_status gap_question_topic(struct sqlite_store *s, int64_t account_id,
                                         int64_t question_id, int64_t *topic_id,
                                         struct ap_error *err)
{
    sqlite3_stmt *st = stmt(s, ST_GAP_QUESTION_TOPIC);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, question_id);
    enum ap_status rc = step_row(s, st, err);
    if (rc == AP_OK) {
        *topic_id = sqlite3_column_int64(st, 0);
        finish(st);
    }
    return rc;
}

static enum ap_status sqlite_record_gap_question(struct ap_store *base, int64_t account_id,
                                                 const struct ap_gap_question_rec *q,
                                                 struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_RECORD_GAP_QUESTION);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, q->event_id);
    sqlite3_bind_int(st, 3, AP_EV_STARTED);
    bind_text(st, 4, q->conversation_id);
    sqlite3_bind_int64(st, 5, q->at_us);
    bind_text(st, 6, q->text);
    bind_text(st, 7, q->language);
    if (q->embedding != NULL)
        sqlite3_bind_blob(st, 8, q->embedding, (int)(q->embedding_len * sizeof(double)),
                          SQLITE_STATIC);
    return exec_stmt(s, st, err);
}

static enum ap_status sqlite_update_gap_channels(struct ap_store *base, int64_t account_id,
                                                 const char *conversation_id,
                                                 struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_UPDATE_GAP_CHANNELS);
    int64_t *topics = NULL; /* the topics whose questions changed channel */
    size_t n = 0, cap = 0;
    int rc;
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, conversation_id);
    sqlite3_bind_int(st, 3, AP_EV_STARTED);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t topic_id = sqlite3_column_int64(st, 0);
        bool known = topic_id == 0;
        for (size_t i = 0; !known && i < n; i++)
            known = topics[i] == topic_id;
        if (known)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            topics = ap_realloc(topics, cap * sizeof *topics);
        }
        topics[n++] = topic_id;
    }
    finish(st);
    enum ap_status status = rc == SQLITE_DONE ? AP_OK : sqlite_error(s, rc, err);
    for (size_t i = 0; status == AP_OK && i < n; i++)
        status = refresh_gap_figures(s, account_id, topics[i], err);
    free(topics);
    return status;
}

static enum ap_status sqlite_gap_generation(struct ap_store *base, int64_t account_id,
                                            int64_t *generation, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_GAP_GENERATION);
    sqlite3_bind_int64(st, 1, account_id);
    enum ap_status rc = step_row(s, st, err);
    if (rc == AP_OK) {
        *generation = sqlite3_column_int64(st, 0);
        finish(st);
    }
    return rc;
}

static enum ap_status sqlite_bump_gap_generation(struct ap_store *base, int64_t account_id,
                                                 struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_BUMP_GAP_GENERATION);
    sqlite3_bind_int64(st, 1, account_id);
    return exec_stmt(s, st, err);
}

/* Runs a query over GAP_QUESTION_COLUMNS and hands each question to fn. An
 * embedding blob whose size is not a whole number of doubles is ignored. */
static enum ap_status select_gap_questions(struct sqlite_store *s, sqlite3_stmt *st,
                                           ap_gap_question_fn fn, void *ctx, struct ap_error *err)
{
    enum ap_status status = AP_OK;
    int rc;
    while (status == AP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t bytes = (size_t)sqlite3_column_bytes(st, 6);
        const void *blob = sqlite3_column_blob(st, 6);
        bool whole = blob != NULL && bytes % sizeof(double) == 0 && bytes > 0;
        struct ap_gap_question_rec q = {
            .id = sqlite3_column_int64(st, 0),
            .event_id = column_or_null(st, 1),
            .conversation_id = column_or_null(st, 2),
            .at_us = sqlite3_column_int64(st, 3),
            .text = column_or_null(st, 4),
            .language = column_or_null(st, 5),
            .embedding = whole ? blob : NULL,
            .embedding_len = whole ? bytes / sizeof(double) : 0,
            .channel = column_or_null(st, 7),
            .topic_id = sqlite3_column_int64(st, 8),
            .assign_seq = sqlite3_column_int64(st, 9),
            .stemmer = column_or_null(st, 10),
            .similarity = sqlite3_column_double(st, 11),
            .dismissed = sqlite3_column_int(st, 12) != 0,
        };
        status = fn(ctx, &q);
    }
    if (status == AP_OK && rc != SQLITE_DONE)
        status = sqlite_error(s, rc, err);
    finish(st);
    return status;
}

static enum ap_status sqlite_select_gap_assignments(struct ap_store *base, int64_t account_id,
                                                    int64_t after_seq, ap_gap_question_fn fn,
                                                    void *ctx, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_GAP_ASSIGNMENTS);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, after_seq);
    return select_gap_questions(s, st, fn, ctx, err);
}

static enum ap_status sqlite_select_pending_gap_questions(struct ap_store *base,
                                                          int64_t account_id, int64_t limit,
                                                          ap_gap_question_fn fn, void *ctx,
                                                          struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_PENDING_GAP_QUESTIONS);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, limit);
    return select_gap_questions(s, st, fn, ctx, err);
}

static enum ap_status sqlite_assign_gap_question(struct ap_store *base, int64_t account_id,
                                                 int64_t question_id, int64_t topic_id,
                                                 int64_t seq, const char *stemmer,
                                                 double similarity, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_ASSIGN_GAP_QUESTION);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, question_id);
    sqlite3_bind_int64(st, 3, topic_id);
    sqlite3_bind_int64(st, 4, seq);
    bind_text(st, 5, stemmer);
    sqlite3_bind_double(st, 6, similarity);
    enum ap_status rc = exec_update(s, st, err);
    if (rc != AP_OK)
        return rc;
    st = stmt(s, ST_ADD_GAP_FIGURES);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, question_id);
    return exec_stmt(s, st, err);
}


static enum ap_status sqlite_insert_gap_topic(struct ap_store *base, int64_t account_id,
                                              int64_t created_at_us, int64_t *topic_id,
                                              struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_INSERT_GAP_TOPIC);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, created_at_us);
    enum ap_status rc = step_row(s, st, err);
    if (rc == AP_OK) {
        *topic_id = sqlite3_column_int64(st, 0);
        rc = exec_stmt(s, st, err); /* steps to the end, then resets */
    }
    return rc;
}

/* Runs a query over the topic columns of ST_SELECT_GAP_TOPICS; the last
 * column (the total) goes to *total when given. */
static enum ap_status select_gap_topic_rows(struct sqlite_store *s, sqlite3_stmt *st,
                                            ap_gap_topic_fn fn, void *ctx, int64_t *total,
                                            int *rows, struct ap_error *err)
{
    enum ap_status status = AP_OK;
    int rc;
    *rows = 0;
    while (status == AP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ap_gap_topic_rec t = {
            .id = sqlite3_column_int64(st, 0),
            .label = column_or_null(st, 1),
            .auto_label = column_or_null(st, 2),
            .dismissed = sqlite3_column_int(st, 3) != 0,
            .merged_into = sqlite3_column_int64(st, 4),
            .answer_id = column_or_null(st, 5),
            .answered_at_us = sqlite3_column_int64(st, 6),
            .created_at_us = sqlite3_column_int64(st, 7),
            .conversations = sqlite3_column_int64(st, 8),
            .questions = sqlite3_column_int64(st, 9),
            .last_at_us = sqlite3_column_int64(st, 10),
            .since_answer = sqlite3_column_int64(st, 11),
            .status = (enum ap_gap_status)sqlite3_column_int(st, 12),
        };
        if (total)
            *total = sqlite3_column_int64(st, 13);
        (*rows)++;
        status = fn(ctx, &t);
    }
    if (status == AP_OK && rc != SQLITE_DONE)
        status = sqlite_error(s, rc, err);
    finish(st);
    return status;
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

static enum ap_status sqlite_select_gap_topics(struct ap_store *base, int64_t account_id,
                                               const struct ap_gap_topic_query *q,
                                               ap_gap_topic_fn fn, void *ctx, int64_t *total,
                                               struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, gap_topics_statement(q));
    int rows;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, q->from_us);
    sqlite3_bind_int64(st, 3, q->to_us);
    bind_text(st, 4, q->channel);
    sqlite3_bind_int64(st, 5, q->topic_id);
    sqlite3_bind_int(st, 6, q->status);
    sqlite3_bind_int(st, 7, q->by_last);
    sqlite3_bind_int64(st, 8, q->limit);
    sqlite3_bind_int64(st, 9, q->offset);
    *total = 0;
    return select_gap_topic_rows(s, st, fn, ctx, total, &rows, err);
}

static enum ap_status sqlite_get_gap_topic(struct ap_store *base, int64_t account_id,
                                           int64_t topic_id, ap_gap_topic_fn fn, void *ctx,
                                           struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_GET_GAP_TOPIC);
    int rows;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, topic_id);
    enum ap_status rc = select_gap_topic_rows(s, st, fn, ctx, NULL, &rows, err);
    if (rc == AP_OK && rows == 0)
        return ap_error_set(err, AP_NOT_FOUND, "id", "no topic %lld", (long long)topic_id);
    return rc;
}

static enum ap_status sqlite_select_gap_topic_questions(struct ap_store *base,
                                                        int64_t account_id, int64_t topic_id,
                                                        int64_t limit, int64_t offset,
                                                        ap_gap_question_fn fn, void *ctx,
                                                        struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_GAP_TOPIC_QUESTIONS);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, topic_id);
    sqlite3_bind_int64(st, 3, limit);
    sqlite3_bind_int64(st, 4, offset);
    return select_gap_questions(s, st, fn, ctx, err);
}

static enum ap_status sqlite_select_gap_topic_latest(struct ap_store *base, int64_t account_id,
                                                     int64_t topic_id,
                                                     const struct ap_gap_topic_query *q,
                                                     int64_t limit, ap_gap_question_fn fn,
                                                     void *ctx, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_GAP_TOPIC_LATEST);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, topic_id);
    sqlite3_bind_int64(st, 3, q->from_us);
    sqlite3_bind_int64(st, 4, q->to_us);
    bind_text(st, 5, q->channel);
    sqlite3_bind_int64(st, 6, limit);
    return select_gap_questions(s, st, fn, ctx, err);
}

struct found {
    ap_gap_question_fn fn;
    void *ctx;
    bool any;
};

static enum ap_status note_found(void *ctx, const struct ap_gap_question_rec *q)
{
    struct found *f = ctx;
    f->any = true;
    return f->fn(f->ctx, q);
}

static enum ap_status sqlite_get_gap_question(struct ap_store *base, int64_t account_id,
                                              int64_t question_id, ap_gap_question_fn fn,
                                              void *ctx, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_GET_GAP_QUESTION);
    struct found f = {fn, ctx, false};
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, question_id);
    enum ap_status rc = select_gap_questions(s, st, note_found, &f, err);
    if (rc == AP_OK && !f.any)
        return ap_error_set(err, AP_NOT_FOUND, "id", "no question %lld", (long long)question_id);
    return rc;
}

/* The curation updates: (account, id, value), AP_NOT_FOUND when no row matched. */
static enum ap_status update_gap_row(struct sqlite_store *s, enum stmt_id id, int64_t account_id,
                                     int64_t row, int64_t value, struct ap_error *err)
{
    sqlite3_stmt *st = stmt(s, id);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, row);
    sqlite3_bind_int64(st, 3, value);
    return exec_update(s, st, err);
}

static enum ap_status sqlite_rename_gap_topic(struct ap_store *base, int64_t account_id,
                                              int64_t topic_id, const char *label,
                                              struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_RENAME_GAP_TOPIC);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, topic_id);
    bind_text(st, 3, label);
    return exec_update(s, st, err);
}

static enum ap_status sqlite_set_gap_topic_dismissed(struct ap_store *base, int64_t account_id,
                                                     int64_t topic_id, bool dismissed,
                                                     struct ap_error *err)
{
    return update_gap_row(from_base(base), ST_SET_GAP_TOPIC_DISMISSED, account_id, topic_id,
                          dismissed, err);
}

static enum ap_status sqlite_set_gap_question_dismissed(struct ap_store *base,
                                                        int64_t account_id, int64_t question_id,
                                                        bool dismissed, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    int64_t topic_id = 0;
    enum ap_status rc = gap_question_topic(s, account_id, question_id, &topic_id, err);
    if (rc == AP_OK)
        rc = update_gap_row(s, ST_SET_GAP_QUESTION_DISMISSED, account_id, question_id,
                            dismissed, err);
    if (rc == AP_OK && topic_id != 0)
        rc = refresh_gap_figures(s, account_id, topic_id, err);
    return rc;
}

static enum ap_status sqlite_move_gap_question(struct ap_store *base, int64_t account_id,
                                               int64_t question_id, int64_t topic_id,
                                               struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
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

static enum ap_status sqlite_select_gap_regroup_questions(struct ap_store *base,
                                                          int64_t account_id,
                                                          ap_gap_question_fn fn, void *ctx,
                                                          struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_REGROUP_GAP_QUESTIONS);
    sqlite3_bind_int64(st, 1, account_id);
    return select_gap_questions(s, st, fn, ctx, err);
}

static enum ap_status sqlite_regroup_gap_question(struct ap_store *base, int64_t account_id,
                                                  int64_t question_id, int64_t topic_id,
                                                  double similarity, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_REGROUP_GAP_QUESTION);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, question_id);
    sqlite3_bind_int64(st, 3, topic_id);
    sqlite3_bind_double(st, 4, similarity);
    return exec_stmt(s, st, err);
}

static enum ap_status sqlite_refresh_gap_topic(struct ap_store *base, int64_t account_id,
                                               int64_t topic_id, struct ap_error *err)
{
    return refresh_gap_figures(from_base(base), account_id, topic_id, err);
}

static enum ap_status sqlite_curate_gap_question_dismissed(struct ap_store *base,
                                                           int64_t account_id, int64_t topic_id,
                                                           int64_t question_id, bool dismissed,
                                                           struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_CURATE_GAP_QUESTION_DISMISSED);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, topic_id);
    sqlite3_bind_int64(st, 3, question_id);
    sqlite3_bind_int(st, 4, dismissed);
    return exec_update(s, st, err);
}

static enum ap_status sqlite_merge_gap_topic(struct ap_store *base, int64_t account_id,
                                             int64_t from, int64_t into, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_MERGE_GAP_QUESTIONS);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, into);
    enum ap_status rc = exec_stmt(s, st, err);
    if (rc == AP_OK)
        rc = update_gap_row(s, ST_MARK_GAP_TOPIC_MERGED, account_id, from, into, err);
    if (rc == AP_OK)
        rc = refresh_gap_figures(s, account_id, from, err);
    if (rc == AP_OK)
        rc = refresh_gap_figures(s, account_id, into, err);
    return rc;
}

static enum ap_status sqlite_set_gap_topic_answer(struct ap_store *base, int64_t account_id,
                                                  int64_t topic_id, const char *answer_id,
                                                  int64_t answered_at_us, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_SET_GAP_TOPIC_ANSWER);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, topic_id);
    bind_text(st, 3, answer_id);
    if (answer_id != NULL)
        sqlite3_bind_int64(st, 4, answered_at_us);
    return exec_update(s, st, err);
}

static enum ap_status sqlite_select_conversation_bodies(struct ap_store *base,
                                                        int64_t account_id,
                                                        const char *conversation_id, int type,
                                                        ap_blob_fn fn, void *ctx,
                                                        struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_CONVERSATION_BODIES);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, conversation_id);
    sqlite3_bind_int(st, 3, type);
    return select_blobs(s, st, fn, ctx, err);
}

/* --- Short answers ------------------------------------------------------------------ */

static enum ap_status bump_answers(struct sqlite_store *s, int64_t account_id,
                                   struct ap_error *err)
{
    sqlite3_stmt *st = stmt(s, ST_BUMP_ANSWERS);
    sqlite3_bind_int64(st, 1, account_id);
    return exec_stmt(s, st, err);
}

/* Binds ?1..?10 of ST_INSERT_ANSWER / ST_UPDATE_ANSWER; the caller frees *lines. */
static void bind_answer(sqlite3_stmt *st, int64_t account_id, const struct ap_answer *a,
                        struct ap_buf *lines)
{
    for (size_t i = 0; i < a->n_alternatives; i++) {
        if (i)
            ap_buf_append_char(lines, '\n');
        ap_buf_append_str(lines, a->alternatives[i]);
    }
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, a->id);
    bind_text(st, 3, a->question);
    sqlite3_bind_text(st, 4, lines->data ? lines->data : "", (int)lines->len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (int64_t)a->n_alternatives);
    bind_text(st, 6, a->answer);
    bind_text(st, 7, a->language);
    sqlite3_bind_int(st, 8, a->enabled);
    sqlite3_bind_int64(st, 9, a->created_at_us);
    sqlite3_bind_int64(st, 10, a->updated_at_us);
}

static enum ap_status write_answer(struct sqlite_store *s, enum stmt_id id, int64_t account_id,
                                   const struct ap_answer *a, struct ap_error *err)
{
    struct ap_buf lines;
    sqlite3_stmt *st = stmt(s, id);
    ap_buf_init(&lines, (size_t)AP_ANSWER_JSON_MAX);
    bind_answer(st, account_id, a, &lines);
    enum ap_status rc = exec_stmt(s, st, err);
    ap_buf_free(&lines);
    if (rc != AP_OK)
        return rc;
    if (sqlite3_changes(s->db) == 0) {
        if (id == ST_INSERT_ANSWER)
            return ap_error_set(err, AP_EXISTS, "id", "\"id\": an answer \"%.128s\" already exists",
                                a->id);
        return ap_error_set(err, AP_NOT_FOUND, "id", "no answer \"%.128s\"", a->id);
    }
    return bump_answers(s, account_id, err);
}

static enum ap_status sqlite_insert_answer(struct ap_store *base, int64_t account_id,
                                           const struct ap_answer *a, struct ap_error *err)
{
    return write_answer(from_base(base), ST_INSERT_ANSWER, account_id, a, err);
}

static enum ap_status sqlite_update_answer(struct ap_store *base, int64_t account_id,
                                           const struct ap_answer *a, struct ap_error *err)
{
    return write_answer(from_base(base), ST_UPDATE_ANSWER, account_id, a, err);
}

static enum ap_status sqlite_delete_answer(struct ap_store *base, int64_t account_id,
                                           const char *id, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_DELETE_ANSWER);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, id);
    enum ap_status rc = exec_stmt(s, st, err);
    if (rc != AP_OK)
        return rc;
    if (sqlite3_changes(s->db) == 0)
        return ap_error_set(err, AP_NOT_FOUND, "id", "no answer \"%.128s\"", id);
    return bump_answers(s, account_id, err);
}

/* Reads a row of ANSWER_COLUMNS into *a (initialised here; the caller frees). */
static void read_answer(sqlite3_stmt *st, struct ap_answer *a)
{
    ap_answer_init(a);
    a->id = ap_strdup((const char *)sqlite3_column_text(st, 0));
    a->question = ap_strdup((const char *)sqlite3_column_text(st, 1));
    const char *lines = (const char *)sqlite3_column_text(st, 2);
    if (sqlite3_column_int64(st, 3) > 0 && lines) {
        for (const char *p = lines;;) {
            const char *nl = strchr(p, '\n');
            ap_answer_add_alternative(a, p, nl ? (size_t)(nl - p) : strlen(p));
            if (nl == NULL)
                break;
            p = nl + 1;
        }
    }
    a->answer = ap_strdup((const char *)sqlite3_column_text(st, 4));
    copy_column(a->language, sizeof a->language, st, 5);
    a->enabled = sqlite3_column_int(st, 6) != 0;
    a->created_at_us = sqlite3_column_int64(st, 7);
    a->updated_at_us = sqlite3_column_int64(st, 8);
}

static enum ap_status sqlite_get_answer(struct ap_store *base, int64_t account_id, const char *id,
                                        struct ap_answer *out, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_GET_ANSWER);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, id);
    enum ap_status rc = step_row(s, st, err);
    if (rc == AP_NOT_FOUND)
        return ap_error_set(err, AP_NOT_FOUND, "id", "no answer \"%.128s\"", id);
    if (rc != AP_OK)
        return rc;
    read_answer(st, out);
    finish(st);
    return AP_OK;
}

static void bind_answer_filter(sqlite3_stmt *st, int64_t account_id,
                               const struct ap_answer_query *q)
{
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int(st, 2, q->enabled < 0 ? -1 : q->enabled != 0);
    if (q->q)
        bind_text(st, 3, q->q);
}

static enum ap_status sqlite_select_answers(struct ap_store *base, int64_t account_id,
                                            const struct ap_answer_query *q, ap_answer_fn fn,
                                            void *ctx, int64_t *total, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st;
    enum ap_status status = AP_OK;
    int rc;
    if (total) {
        st = stmt(s, ST_COUNT_ANSWERS);
        bind_answer_filter(st, account_id, q);
        if ((status = step_row(s, st, err)) != AP_OK)
            return status;
        *total = sqlite3_column_int64(st, 0);
        finish(st);
    }
    st = stmt(s, ST_SELECT_ANSWERS);
    bind_answer_filter(st, account_id, q);
    sqlite3_bind_int64(st, 4, q->limit ? (int64_t)q->limit : -1);
    sqlite3_bind_int64(st, 5, (int64_t)q->offset);
    while (status == AP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ap_answer a;
        read_answer(st, &a);
        status = fn(ctx, &a);
        ap_answer_free(&a);
    }
    if (status == AP_OK && rc != SQLITE_DONE)
        status = sqlite_error(s, rc, err);
    finish(st);
    return status;
}

static enum ap_status sqlite_get_answer_state(struct ap_store *base, int64_t account_id,
                                              int64_t *version, double *threshold,
                                              struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_ANSWER_STATE);
    sqlite3_bind_int64(st, 1, account_id);
    enum ap_status rc = step_row(s, st, err);
    *version = 0;
    *threshold = -1;
    if (rc == AP_NOT_FOUND) {
        if (err)
            ap_error_clear(err);
        return AP_OK;
    }
    if (rc != AP_OK)
        return rc;
    *version = sqlite3_column_int64(st, 0);
    if (sqlite3_column_type(st, 1) != SQLITE_NULL)
        *threshold = sqlite3_column_double(st, 1);
    finish(st);
    return AP_OK;
}

static enum ap_status sqlite_set_answer_threshold(struct ap_store *base, int64_t account_id,
                                                  double threshold, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_SET_ANSWER_THRESHOLD);
    sqlite3_bind_int64(st, 1, account_id);
    if (threshold >= 0)
        sqlite3_bind_double(st, 2, threshold);
    return exec_stmt(s, st, err);
}

/* --- embeddings ------------------------------------------------------------------- */

static enum ap_status sqlite_get_cached_embedding(struct ap_store *base, const char *model,
                                                  const uint8_t hash[AP_TEXT_HASH_SIZE],
                                                  double *out, size_t cap, size_t *dims,
                                                  struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_GET_CACHED_EMBEDDING);
    bind_text(st, 1, model);
    sqlite3_bind_blob(st, 2, hash, AP_TEXT_HASH_SIZE, SQLITE_STATIC);
    enum ap_status rc = step_row(s, st, err);
    if (rc != AP_OK)
        return rc;
    int64_t n = sqlite3_column_int64(st, 0);
    size_t bytes = (size_t)sqlite3_column_bytes(st, 1);
    const void *blob = sqlite3_column_blob(st, 1);
    bool fits = n > 0 && (size_t)n <= cap && blob != NULL && bytes == (size_t)n * sizeof(double);
    if (fits) {
        memcpy(out, blob, bytes);
        *dims = (size_t)n;
    }
    finish(st);
    return fits ? AP_OK : ap_error_set(err, AP_NOT_FOUND, "", NULL);
}

static enum ap_status sqlite_put_cached_embedding(struct ap_store *base, const char *model,
                                                  const uint8_t hash[AP_TEXT_HASH_SIZE],
                                                  const double *vector, size_t dims,
                                                  int64_t now_us, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_PUT_CACHED_EMBEDDING);
    bind_text(st, 1, model);
    sqlite3_bind_blob(st, 2, hash, AP_TEXT_HASH_SIZE, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)dims);
    sqlite3_bind_blob(st, 4, vector, (int)(dims * sizeof(double)), SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now_us);
    return exec_stmt(s, st, err);
}

static enum ap_status sqlite_select_unembedded_gap_questions(struct ap_store *base,
                                                             int64_t account_id,
                                                             const char *model, int64_t limit,
                                                             ap_gap_question_fn fn, void *ctx,
                                                             struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_UNEMBEDDED_GAP_QUESTIONS);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, model);
    sqlite3_bind_int64(st, 3, limit);
    enum ap_status status = AP_OK;
    int rc;
    while (status == AP_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ap_gap_question_rec q = {
            .id = sqlite3_column_int64(st, 0),
            .text = column_or_null(st, 1),
            .language = column_or_null(st, 2),
            .topic_id = sqlite3_column_int64(st, 3),
        };
        status = fn(ctx, &q);
    }
    if (status == AP_OK && rc != SQLITE_DONE)
        status = sqlite_error(s, rc, err);
    finish(st);
    return status;
}

static enum ap_status sqlite_max_gap_question_id(struct ap_store *base, int64_t account_id,
                                                 int64_t *id, struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_MAX_GAP_QUESTION_ID);
    sqlite3_bind_int64(st, 1, account_id);
    enum ap_status rc = step_row(s, st, err);
    if (rc == AP_OK) {
        *id = sqlite3_column_int64(st, 0);
        finish(st);
    }
    return rc;
}

static enum ap_status sqlite_set_gap_question_embedding(struct ap_store *base,
                                                        int64_t account_id, int64_t question_id,
                                                        const char *model, const double *vector,
                                                        size_t dims, bool *assigned,
                                                        struct ap_error *err)
{
    struct sqlite_store *s = from_base(base);
    sqlite3_stmt *st = stmt(s, ST_SET_GAP_QUESTION_EMBEDDING);
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, question_id);
    sqlite3_bind_blob(st, 3, vector, (int)(dims * sizeof(double)), SQLITE_STATIC);
    bind_text(st, 4, model);
    *assigned = false;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *assigned = sqlite3_column_type(st, 0) != SQLITE_NULL;
    finish(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqlite_error(s, rc, err);
    return AP_OK;
}

static const struct ap_store_ops sqlite_ops = {
    .backend = "sqlite",
    .destroy = sqlite_destroy,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .ping = sqlite_ping,
    .schema_version = sqlite_schema_version,
    .checkpoint_log = sqlite_checkpoint_log,
    .set_auto_checkpoint = sqlite_set_auto_checkpoint,
    .copy_to = sqlite_copy_to,
    .insert_account = sqlite_insert_account,
    .update_account = sqlite_update_account,
    .get_account_by_name = sqlite_get_account_by_name,
    .get_account = sqlite_get_account,
    .select_accounts = sqlite_select_accounts,
    .insert_token = sqlite_insert_token,
    .get_token_by_hash = sqlite_get_token_by_hash,
    .select_tokens = sqlite_select_tokens,
    .revoke_token = sqlite_revoke_token,
    .insert_event = sqlite_insert_event,
    .count_events = sqlite_count_events,
    .get_event = sqlite_get_event,
    .select_conversation_events = sqlite_select_conversation_events,
    .select_ticket_events = sqlite_select_ticket_events,
    .select_event_conversations = sqlite_select_event_conversations,
    .get_conversation = sqlite_get_conversation,
    .put_conversation = sqlite_put_conversation,
    .select_conversations_by_start = sqlite_select_conversations_by_start,
    .select_quiet_conversations = sqlite_select_quiet_conversations,
    .add_cells = sqlite_add_cells,
    .select_cells = sqlite_select_cells,
    .delete_report_data = sqlite_delete_report_data,
    .set_reports_stale = sqlite_set_reports_stale,
    .put_member_name = sqlite_put_member_name,
    .select_members = sqlite_select_members,
    .record_gap_question = sqlite_record_gap_question,
    .update_gap_channels = sqlite_update_gap_channels,
    .gap_generation = sqlite_gap_generation,
    .bump_gap_generation = sqlite_bump_gap_generation,
    .select_gap_assignments = sqlite_select_gap_assignments,
    .select_pending_gap_questions = sqlite_select_pending_gap_questions,
    .assign_gap_question = sqlite_assign_gap_question,
    .insert_gap_topic = sqlite_insert_gap_topic,
    .select_gap_topics = sqlite_select_gap_topics,
    .get_gap_topic = sqlite_get_gap_topic,
    .select_gap_topic_questions = sqlite_select_gap_topic_questions,
    .select_gap_topic_latest = sqlite_select_gap_topic_latest,
    .get_gap_question = sqlite_get_gap_question,
    .rename_gap_topic = sqlite_rename_gap_topic,
    .set_gap_topic_dismissed = sqlite_set_gap_topic_dismissed,
    .set_gap_question_dismissed = sqlite_set_gap_question_dismissed,
    .move_gap_question = sqlite_move_gap_question,
    .merge_gap_topic = sqlite_merge_gap_topic,
    .select_gap_regroup_questions = sqlite_select_gap_regroup_questions,
    .regroup_gap_question = sqlite_regroup_gap_question,
    .refresh_gap_topic = sqlite_refresh_gap_topic,
    .curate_gap_question_dismissed = sqlite_curate_gap_question_dismissed,
    .set_gap_topic_answer = sqlite_set_gap_topic_answer,
    .select_conversation_bodies = sqlite_select_conversation_bodies,
    .insert_answer = sqlite_insert_answer,
    .update_answer = sqlite_update_answer,
    .delete_answer = sqlite_delete_answer,
    .get_answer = sqlite_get_answer,
    .select_answers = sqlite_select_answers,
    .get_answer_state = sqlite_get_answer_state,
    .set_answer_threshold = sqlite_set_answer_threshold,
    .get_cached_embedding = sqlite_get_cached_embedding,
    .put_cached_embedding = sqlite_put_cached_embedding,
    .select_unembedded_gap_questions = sqlite_select_unembedded_gap_questions,
    .set_gap_question_embedding = sqlite_set_gap_question_embedding,
    .max_gap_question_id = sqlite_max_gap_question_id,
};

/* Durability settings: WAL with synchronous=FULL syncs the log on every commit,
 * which is what makes an acknowledged event survive power loss. */
static const char *const connection_pragmas =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;"
    "PRAGMA foreign_keys = ON;"
    "PRAGMA cache_size = -65536;"
    "PRAGMA temp_store = MEMORY;";

enum ap_status ap_sqlite_open(const char *path, struct ap_store **out, struct ap_error *err)
{
    struct sqlite_store *s = ap_calloc(1, sizeof *s);
    enum ap_status status;
    s->base.ops = &sqlite_ops;
    if ((status = create_private_file(path, err)) != AP_OK)
        goto fail;
    int rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        status = ap_error_set(err, AP_UNAVAILABLE, "db", "cannot open database \"%s\": %s", path,
                              s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    sqlite3_extended_result_codes(s->db, 1);
    s->gate = ap_write_gate_acquire(sqlite3_db_filename(s->db, "main"));
    char *msg = NULL;
    if ((rc = sqlite3_exec(s->db, connection_pragmas, NULL, NULL, &msg)) != SQLITE_OK) {
        status = ap_error_set(err, AP_UNAVAILABLE, "db", "cannot set up database \"%s\": %s", path,
                              msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        goto fail;
    }
    if ((status = run_migrations(s, err)) != AP_OK)
        goto fail;
    for (int i = 0; i < ST__COUNT; i++) {
        rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                                NULL);
        if (rc != SQLITE_OK) {
            status = sqlite_error(s, rc, err);
            goto fail;
        }
    }
    *out = &s->base;
    return AP_OK;

fail:
    sqlite_destroy(&s->base);
    return status;
}
