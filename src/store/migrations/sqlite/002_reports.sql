-- Report aggregates (docs/internals/reports.md): each conversation's derived
-- state, the cells reports read, the pending cells of conversations whose
-- figures change when they go quiet, and team members' display names.
-- The few facts of an event that derivation reads, as columns, so that a
-- conversation is derived again without parsing its stored JSON (see
-- ap_event_facts in src/ingest/event.h).
ALTER TABLE events ADD COLUMN ticket_id TEXT;
ALTER TABLE events ADD COLUMN member_id TEXT;
ALTER TABLE events ADD COLUMN attr TEXT;
ALTER TABLE events ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
UPDATE events SET
    ticket_id = json_extract(body, '$.ticket_id'),
    member_id = json_extract(body, '$.member_id'),
    attr = coalesce(json_extract(body, '$.channel'), json_extract(body, '$.reason')),
    flags = (json_extract(body, '$.handler') IS 'human')
          | ((json_extract(body, '$.answered') IS 1) << 1)
          | ((json_extract(body, '$.by') IS 'human') << 2)
          | ((json_extract(body, '$.rating') IS 'helpful') << 3);
CREATE INDEX events_by_ticket ON events (account_id, ticket_id) WHERE ticket_id IS NOT NULL;

-- Set when the aggregates must be rebuilt from the events: after this
-- migration, or when the account's time zone or inactivity hours change.
ALTER TABLE accounts ADD COLUMN reports_stale INTEGER NOT NULL DEFAULT 1;

CREATE TABLE conversations (
    account_id  INTEGER NOT NULL,
    id          TEXT NOT NULL,
    state       BLOB NOT NULL,
    quiet_at_us INTEGER, -- set while the conversation's figures still depend on time
    PRIMARY KEY (account_id, id)
) WITHOUT ROWID;

CREATE INDEX conversations_by_quiet ON conversations (account_id, quiet_at_us)
    WHERE quiet_at_us IS NOT NULL;

CREATE TABLE report_cells (
    account_id    INTEGER NOT NULL,
    kind          INTEGER NOT NULL,
    day           INTEGER NOT NULL,
    channel       TEXT NOT NULL,
    dim           TEXT NOT NULL,
    conversations INTEGER NOT NULL DEFAULT 0,
    handled       INTEGER NOT NULL DEFAULT 0,
    resolved      INTEGER NOT NULL DEFAULT 0,
    deflected     INTEGER NOT NULL DEFAULT 0,
    handed_off    INTEGER NOT NULL DEFAULT 0,
    converted     INTEGER NOT NULL DEFAULT 0,
    resolution_us INTEGER NOT NULL DEFAULT 0,
    close_us      INTEGER NOT NULL DEFAULT 0,
    helpful       INTEGER NOT NULL DEFAULT 0,
    not_helpful   INTEGER NOT NULL DEFAULT 0,
    asked         INTEGER NOT NULL DEFAULT 0,
    unanswered    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, kind, day, channel, dim)
) WITHOUT ROWID;

CREATE TABLE report_pending (
    account_id    INTEGER NOT NULL,
    quiet_hour    INTEGER NOT NULL,
    kind          INTEGER NOT NULL,
    day           INTEGER NOT NULL,
    channel       TEXT NOT NULL,
    dim           TEXT NOT NULL,
    conversations INTEGER NOT NULL DEFAULT 0,
    handled       INTEGER NOT NULL DEFAULT 0,
    resolved      INTEGER NOT NULL DEFAULT 0,
    deflected     INTEGER NOT NULL DEFAULT 0,
    handed_off    INTEGER NOT NULL DEFAULT 0,
    converted     INTEGER NOT NULL DEFAULT 0,
    resolution_us INTEGER NOT NULL DEFAULT 0,
    close_us      INTEGER NOT NULL DEFAULT 0,
    helpful       INTEGER NOT NULL DEFAULT 0,
    not_helpful   INTEGER NOT NULL DEFAULT 0,
    asked         INTEGER NOT NULL DEFAULT 0,
    unanswered    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, quiet_hour, kind, day, channel, dim)
) WITHOUT ROWID;

CREATE TABLE members (
    account_id    INTEGER NOT NULL,
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    name_at_us    INTEGER NOT NULL,
    name_event_id TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
) WITHOUT ROWID;
