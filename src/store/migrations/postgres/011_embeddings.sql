-- Embeddings from the team's model server (docs/internals/embed.md), the twin
-- of migrations/sqlite/011_embeddings.sql. Each text is embedded once per
-- model: the cache is keyed by the model's name and the SHA-256 of the text
-- (the text itself is not kept here). vector holds dims doubles in the
-- machine's byte order, as gap_questions.embedding does.
CREATE TABLE embedding_cache (
    model         text NOT NULL,
    text_hash     bytea NOT NULL,
    dims          integer NOT NULL,
    vector        bytea NOT NULL,
    created_at_us bigint NOT NULL,
    PRIMARY KEY (model, text_hash)
);

-- The model that made a question's stored embedding; NULL when the agent sent
-- it with the event (that one is never replaced).
ALTER TABLE gap_questions ADD COLUMN embedding_model text;

-- The questions the embedding worker still has to fetch, by account: those
-- with no embedding, and those of another model after a change of model.
CREATE INDEX gap_questions_unembedded ON gap_questions (account_id, id)
    WHERE embedding IS NULL;
CREATE INDEX gap_questions_by_embedding_model ON gap_questions (account_id, embedding_model)
    WHERE embedding_model IS NOT NULL;

-- Per account: whether its texts go to the model server (on by default once
-- the server is configured with --embeddings-url).
ALTER TABLE accounts ADD COLUMN embeddings integer NOT NULL DEFAULT 1;
