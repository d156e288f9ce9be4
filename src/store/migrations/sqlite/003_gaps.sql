-- Knowledge gaps (docs/internals/gaps.md). Every unanswered question, stored
-- with its event, and the topic it was assigned to. assign_seq orders the
-- assignments: replaying them in that order rebuilds the grouping model in
-- any process. topic_id is NULL until the question is assigned.
CREATE TABLE gap_questions (
    account_id      INTEGER NOT NULL,
    id              INTEGER NOT NULL, -- per account, in order of storage
    event_id        TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    at_us           INTEGER NOT NULL,
    text            TEXT NOT NULL,
    language        TEXT,             -- the event's language tag, if any
    embedding       BLOB,             -- the agent's vector as little-endian doubles
    channel         TEXT,             -- of its conversation, once its start is stored
    topic_id        INTEGER,
    assign_seq      INTEGER,
    stemmer         TEXT,             -- the language its text was stemmed in
    similarity      REAL NOT NULL DEFAULT 0,
    dismissed       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, id),
    UNIQUE (account_id, event_id)
);

CREATE INDEX gap_questions_by_topic ON gap_questions (account_id, topic_id, at_us);
CREATE INDEX gap_questions_by_conversation ON gap_questions (account_id, conversation_id);
CREATE INDEX gap_questions_by_assignment ON gap_questions (account_id, assign_seq);
CREATE INDEX gap_questions_pending ON gap_questions (account_id, id) WHERE topic_id IS NULL;

CREATE TABLE gap_topics (
    account_id     INTEGER NOT NULL,
    id             INTEGER NOT NULL,
    label          TEXT,             -- set by a rename; NULL: the most representative question
    dismissed      INTEGER NOT NULL DEFAULT 0,
    merged_into    INTEGER,          -- set when merged away
    answer_id      TEXT,
    answered_at_us INTEGER,
    created_at_us  INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);

-- Per account: a counter bumped by every curation that changes assignments
-- (merge, move), so that every process rebuilds its cached model.
CREATE TABLE gap_state (
    account_id INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL DEFAULT 0
);
