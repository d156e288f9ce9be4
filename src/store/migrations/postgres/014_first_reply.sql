-- The time from a handoff to the team's first reply (docs/metrics.md): two
-- more metrics of every report cell, filled by the rebuild this marks.
ALTER TABLE report_cells ADD COLUMN replied bigint NOT NULL DEFAULT 0;
ALTER TABLE report_cells ADD COLUMN reply_us bigint NOT NULL DEFAULT 0;
ALTER TABLE report_pending ADD COLUMN replied bigint NOT NULL DEFAULT 0;
ALTER TABLE report_pending ADD COLUMN reply_us bigint NOT NULL DEFAULT 0;
UPDATE accounts SET reports_stale = true;
