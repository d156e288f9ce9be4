-- A conversation's ticket joined its stored state (the list behind a figure shows it):
-- the states are derived again.
UPDATE accounts SET reports_stale = true;
