-- Accounts, their tokens, and the raw events. Every key starts with the account
-- so the same layout shards by account on a distributed database.
CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    time_zone        TEXT NOT NULL DEFAULT 'UTC',
    inactivity_hours INTEGER NOT NULL DEFAULT 72,
    conversation_url TEXT NOT NULL DEFAULT '',
    ticket_url       TEXT NOT NULL DEFAULT '',
    created_at_us    INTEGER NOT NULL
);

CREATE TABLE tokens (
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    id            INTEGER NOT NULL,
    hash          BLOB NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('ingest', 'viewer', 'admin')),
    label         TEXT NOT NULL DEFAULT '',
    created_at_us INTEGER NOT NULL,
    revoked_at_us INTEGER,
    PRIMARY KEY (account_id, id)
);

-- One row per accepted event; body is the canonical JSON (src/ingest/event.c),
-- compared byte for byte to tell a duplicate from a conflict.
CREATE TABLE events (
    account_id      INTEGER NOT NULL,
    id              TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    type            INTEGER NOT NULL,
    at_us           INTEGER NOT NULL,
    body            TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
);

CREATE INDEX events_by_conversation ON events (account_id, conversation_id);
