-- Knowledge gaps (docs/internals/gaps.md), the twin of
-- migrations/sqlite/003_gaps.sql. Every unanswered question, stored with its
-- event, and the topic it was assigned to. assign_seq orders the assignments:
-- replaying them in that order rebuilds the grouping model in any process.
-- topic_id is NULL until the question is assigned. Flags stay integers (0/1)
-- so the queries read the same on both backends.
CREATE TABLE gap_questions (
    account_id      bigint NOT NULL,
    id              bigint NOT NULL, -- per account, in order of storage
    event_id        text NOT NULL,
    conversation_id text NOT NULL,
    at_us           bigint NOT NULL,
    text            text NOT NULL,
    language        text,            -- the event's language tag, if any
    embedding       bytea,           -- the agent's vector as little-endian doubles
    channel         text,            -- of its conversation, once its start is stored
    topic_id        bigint,
    assign_seq      bigint,
    stemmer         text,            -- the language its text was stemmed in
    similarity      double precision NOT NULL DEFAULT 0,
    dismissed       integer NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, id),
    UNIQUE (account_id, event_id)
);

CREATE INDEX gap_questions_by_topic ON gap_questions (account_id, topic_id, at_us);
CREATE INDEX gap_questions_by_conversation ON gap_questions (account_id, conversation_id);
CREATE INDEX gap_questions_by_assignment ON gap_questions (account_id, assign_seq);
CREATE INDEX gap_questions_pending ON gap_questions (account_id, id) WHERE topic_id IS NULL;

CREATE TABLE gap_topics (
    account_id     bigint NOT NULL,
    id             bigint NOT NULL,
    label          text,             -- set by a rename; NULL: the most representative question
    dismissed      integer NOT NULL DEFAULT 0,
    merged_into    bigint,           -- set when merged away
    answer_id      text,
    answered_at_us bigint,
    created_at_us  bigint NOT NULL,
    PRIMARY KEY (account_id, id)
);

-- Per account: a counter bumped by every curation that changes assignments
-- (merge, move), so that every process rebuilds its cached model.
CREATE TABLE gap_state (
    account_id bigint PRIMARY KEY,
    generation bigint NOT NULL DEFAULT 0
);
