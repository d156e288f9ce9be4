-- The list of conversations behind a figure (GET /v1/conversations) reads
-- conversations by their start. The column is filled when a conversation's
-- state is written; the rebuild this marks fills it for every one stored.
ALTER TABLE conversations ADD COLUMN started_at_us integer;
CREATE INDEX conversations_by_start ON conversations (account_id, started_at_us, id);
UPDATE accounts SET reports_stale = 1;
