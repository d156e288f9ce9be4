-- The by-language report (docs/metrics.md) reads a question's language from
-- its facts: the text column `attr` (a start's channel, a handoff's reason)
-- keeps it for questions (type 1) from now on, and here for those stored.
UPDATE events SET attr = json_extract(body, '$.language') WHERE type = 1;
UPDATE accounts SET reports_stale = 1;
