-- The topic table groups an account's questions by topic: an index that holds
-- every column that query reads lets it walk topics in order without touching
-- the rows (4x faster on 39k questions, measured in docs/benchmarks.md).
DROP INDEX gap_questions_by_topic;
CREATE INDEX gap_questions_by_topic ON gap_questions
    (account_id, topic_id, dismissed, at_us, conversation_id, channel);
