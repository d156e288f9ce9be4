-- Short answers (SPEC §6, docs/internals/answers.md). Alternatives are kept as
-- one text of lines: an alternative holds no control characters, so a line
-- break separates them unambiguously.
CREATE TABLE answers (
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    id            TEXT NOT NULL,
    question      TEXT NOT NULL,
    alternatives  TEXT NOT NULL DEFAULT '',
    n_alternatives INTEGER NOT NULL DEFAULT 0,
    answer        TEXT NOT NULL,
    language      TEXT NOT NULL,
    enabled       INTEGER NOT NULL DEFAULT 1,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX answers_by_created ON answers (account_id, created_at_us, id);

-- Per account: a counter bumped by every change to its answers, so that a
-- process holding a matcher in memory sees another process's changes; and the
-- account's own no-answer threshold (NULL: the default).
CREATE TABLE answer_state (
    account_id      INTEGER PRIMARY KEY REFERENCES accounts (id),
    version         INTEGER NOT NULL DEFAULT 0,
    match_threshold REAL
);
