-- Report aggregates (docs/internals/reports.md), the twin of
-- migrations/sqlite/002_reports.sql: each conversation's derived state, the
-- cells reports read, the pending cells of conversations whose figures change
-- when they go quiet, and team members' display names.
ALTER TABLE events
    ADD COLUMN ticket_id text,
    ADD COLUMN member_id text,
    ADD COLUMN attr text,
    ADD COLUMN flags integer NOT NULL DEFAULT 0;
UPDATE events SET
    ticket_id = b ->> 'ticket_id',
    member_id = b ->> 'member_id',
    attr = coalesce(b ->> 'channel', b ->> 'reason'),
    flags = (CASE WHEN b ->> 'handler' = 'human' THEN 1 ELSE 0 END)
          | (CASE WHEN b -> 'answered' = 'true'::jsonb THEN 2 ELSE 0 END)
          | (CASE WHEN b ->> 'by' = 'human' THEN 4 ELSE 0 END)
          | (CASE WHEN b ->> 'rating' = 'helpful' THEN 8 ELSE 0 END)
FROM (SELECT account_id AS a, id AS i, body::jsonb AS b FROM events) AS parsed
WHERE events.account_id = parsed.a AND events.id = parsed.i;
CREATE INDEX events_by_ticket ON events (account_id, ticket_id) WHERE ticket_id IS NOT NULL;

-- Set when the aggregates must be rebuilt from the events: after this
-- migration, or when the account's time zone or inactivity hours change.
ALTER TABLE accounts ADD COLUMN reports_stale boolean NOT NULL DEFAULT true;

CREATE TABLE conversations (
    account_id  bigint NOT NULL,
    id          text NOT NULL,
    state       bytea NOT NULL,
    quiet_at_us bigint, -- set while the conversation's figures still depend on time
    PRIMARY KEY (account_id, id)
);

CREATE INDEX conversations_by_quiet ON conversations (account_id, quiet_at_us)
    WHERE quiet_at_us IS NOT NULL;

CREATE TABLE report_cells (
    account_id    bigint NOT NULL,
    kind          integer NOT NULL,
    day           bigint NOT NULL,
    channel       text NOT NULL,
    dim           text NOT NULL,
    conversations bigint NOT NULL DEFAULT 0,
    handled       bigint NOT NULL DEFAULT 0,
    resolved      bigint NOT NULL DEFAULT 0,
    deflected     bigint NOT NULL DEFAULT 0,
    handed_off    bigint NOT NULL DEFAULT 0,
    converted     bigint NOT NULL DEFAULT 0,
    resolution_us bigint NOT NULL DEFAULT 0,
    close_us      bigint NOT NULL DEFAULT 0,
    helpful       bigint NOT NULL DEFAULT 0,
    not_helpful   bigint NOT NULL DEFAULT 0,
    asked         bigint NOT NULL DEFAULT 0,
    unanswered    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, kind, day, channel, dim)
);

CREATE TABLE report_pending (
    account_id    bigint NOT NULL,
    quiet_hour    bigint NOT NULL,
    kind          integer NOT NULL,
    day           bigint NOT NULL,
    channel       text NOT NULL,
    dim           text NOT NULL,
    conversations bigint NOT NULL DEFAULT 0,
    handled       bigint NOT NULL DEFAULT 0,
    resolved      bigint NOT NULL DEFAULT 0,
    deflected     bigint NOT NULL DEFAULT 0,
    handed_off    bigint NOT NULL DEFAULT 0,
    converted     bigint NOT NULL DEFAULT 0,
    resolution_us bigint NOT NULL DEFAULT 0,
    close_us      bigint NOT NULL DEFAULT 0,
    helpful       bigint NOT NULL DEFAULT 0,
    not_helpful   bigint NOT NULL DEFAULT 0,
    asked         bigint NOT NULL DEFAULT 0,
    unanswered    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, quiet_hour, kind, day, channel, dim)
);

CREATE TABLE members (
    account_id    bigint NOT NULL,
    id            text NOT NULL,
    name          text NOT NULL,
    name_at_us    bigint NOT NULL,
    name_event_id text NOT NULL,
    PRIMARY KEY (account_id, id)
);
