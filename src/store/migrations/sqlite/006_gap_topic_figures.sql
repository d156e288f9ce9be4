-- The topic table's figures kept per topic as questions are assigned and
-- curated (docs/internals/gaps.md, "Figures"), so that the table without a
-- date range reads one row per topic instead of grouping every question
-- (seconds at a million conversations, docs/benchmarks.md). One row per topic
-- for all channels (channel '*', which no channel name can be) and one per
-- channel its questions came from; dismissed questions never count.
CREATE TABLE gap_topic_figures (
    account_id        INTEGER NOT NULL,
    topic_id          INTEGER NOT NULL,
    channel           TEXT NOT NULL,
    conversations     INTEGER NOT NULL, -- distinct
    questions         INTEGER NOT NULL,
    last_at_us        INTEGER NOT NULL,
    label_question_id INTEGER,          -- '*' rows: the most representative question
    label_similarity  REAL,
    PRIMARY KEY (account_id, topic_id, channel)
);

-- Topics in the order the table sorts them, per channel.
CREATE INDEX gap_topic_figures_by_conversations ON gap_topic_figures
    (account_id, channel, conversations, last_at_us, topic_id);
CREATE INDEX gap_topic_figures_by_last ON gap_topic_figures
    (account_id, channel, last_at_us, topic_id);

-- A date range selects questions by time: this index bounds that scan.
CREATE INDEX gap_questions_by_time ON gap_questions
    (account_id, at_us, topic_id, dismissed, conversation_id, channel);

INSERT INTO gap_topic_figures (account_id, topic_id, channel, conversations, questions, last_at_us)
SELECT account_id, topic_id, '*', count(DISTINCT conversation_id), count(*), max(at_us)
FROM gap_questions WHERE topic_id IS NOT NULL AND dismissed = 0
GROUP BY account_id, topic_id;

INSERT INTO gap_topic_figures (account_id, topic_id, channel, conversations, questions, last_at_us)
SELECT account_id, topic_id, channel, count(DISTINCT conversation_id), count(*), max(at_us)
FROM gap_questions WHERE topic_id IS NOT NULL AND dismissed = 0 AND channel IS NOT NULL
GROUP BY account_id, topic_id, channel;

UPDATE gap_topic_figures SET (label_question_id, label_similarity) = (
    SELECT q.id, q.similarity FROM gap_questions q
    WHERE q.account_id = gap_topic_figures.account_id AND q.topic_id = gap_topic_figures.topic_id
      AND q.dismissed = 0
    ORDER BY q.similarity DESC, q.id LIMIT 1)
WHERE channel = '*';
