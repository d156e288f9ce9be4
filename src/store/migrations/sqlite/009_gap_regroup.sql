-- The background re-grouping (docs/internals/gaps.md) may move a question to
-- another topic unless a person placed it there: a move or a merge pins it.
ALTER TABLE gap_questions ADD COLUMN pinned integer NOT NULL DEFAULT 0;
