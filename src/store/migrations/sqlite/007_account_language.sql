-- The language an account's questions are stemmed in when an event names none
-- and detection is unsure (SPEC §5; docs/internals/gaps.md). Existing accounts keep the
-- English they were processed in until now.
ALTER TABLE accounts ADD COLUMN default_language TEXT NOT NULL DEFAULT 'en';
