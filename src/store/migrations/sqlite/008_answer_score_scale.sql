-- The match score changed scale (docs/internals/answers.md, "The no-answer rule"): it was
-- the best answer's classifier probability (default threshold 0.06) and is now its estimated
-- chance of being right, moved so that 0.5 is the default bar for its number of phrasings.
-- A threshold an account set on the old scale would mean something else on the new one, so
-- every account goes back to the default.
UPDATE answer_state SET match_threshold = NULL WHERE match_threshold IS NOT NULL;
