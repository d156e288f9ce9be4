-- Short answers (SPEC §6, docs/internals/answers.md), the twin of
-- migrations/sqlite/004_answers.sql. Alternatives are kept as one text of
-- lines: an alternative holds no control characters, so a line break
-- separates them unambiguously. Flags stay integers (0/1) so the queries read
-- the same on both backends.
CREATE TABLE answers (
    account_id     bigint NOT NULL REFERENCES accounts (id),
    id             text NOT NULL,
    question       text NOT NULL,
    alternatives   text NOT NULL DEFAULT '',
    n_alternatives integer NOT NULL DEFAULT 0,
    answer         text NOT NULL,
    language       text NOT NULL,
    enabled        integer NOT NULL DEFAULT 1,
    created_at_us  bigint NOT NULL,
    updated_at_us  bigint NOT NULL,
    PRIMARY KEY (account_id, id)
);
-- Pages are ordered by creation, then id byte by byte (as SQLite compares).
CREATE INDEX answers_by_created ON answers (account_id, created_at_us, id COLLATE "C");

-- Per account: a counter bumped by every change to its answers, so that a
-- process holding a matcher in memory sees another process's changes; and the
-- account's own no-answer threshold (NULL: the default).
CREATE TABLE answer_state (
    account_id      bigint PRIMARY KEY REFERENCES accounts (id),
    version         bigint NOT NULL DEFAULT 0,
    match_threshold double precision
);
