-- The same page computed the straightforward way: derive every conversation
-- from its raw events with GROUP BY, then aggregate per week. UTC buckets and
-- conversation-local ticket closes keep it short; it does at least the work the
-- real definitions need (it reads every event of the range's conversations).
WITH conv AS (
    SELECT conversation_id,
           min(CASE WHEN type = 0 THEN at_us END) AS started_at,
           max(CASE WHEN type = 0 THEN attr END) AS channel,
           max(CASE WHEN type = 0 THEN (flags & 1) = 0 END) AS handled,
           max(type = 2) AS any_handoff,
           max(type = 7 AND (flags & 8) = 0) AS not_helpful,
           max(type = 4 AND (flags & 4) = 0) AS agent_resolved,
           min(CASE WHEN type = 4 AND (flags & 4) = 0 THEN at_us END) AS agent_resolved_at,
           max(type = 5) AS closed,
           max(at_us) AS last_at,
           max(CASE WHEN type = 1 AND (flags & 2) <> 0 THEN at_us END) AS last_answered,
           sum(type = 1) AS asked,
           sum(type = 1 AND (flags & 2) = 0) AS unanswered,
           sum(type = 7 AND (flags & 8) <> 0) AS helpful,
           sum(type = 7 AND (flags & 8) = 0) AS not_helpful_n,
           min(CASE WHEN type = 2 THEN at_us END) AS handoff_at,
           min(CASE WHEN type = 6 THEN at_us END) AS ticket_closed_at
      FROM events WHERE account_id = :account GROUP BY conversation_id
), state AS (
    SELECT *, handled AND any_handoff AS handed_off,
           (closed OR agent_resolved OR last_at <= :now - :inactivity) AS ended
      FROM conv WHERE started_at IS NOT NULL
), outcome AS (
    SELECT *, handled AND NOT handed_off AND ended AS deflected,
           handled AND NOT handed_off AND NOT not_helpful
               AND (agent_resolved OR (ended AND last_answered IS NOT NULL)) AS resolved,
           (started_at / 1000000 / 86400 + 3) / 7 AS week
      FROM state
)
SELECT week, channel, count(*), sum(handled), sum(resolved), sum(deflected), sum(handed_off),
       sum(CASE WHEN resolved THEN coalesce(agent_resolved_at, last_answered) - started_at END),
       sum(handed_off AND ticket_closed_at IS NOT NULL),
       sum(CASE WHEN handed_off THEN ticket_closed_at - handoff_at END),
       sum(helpful), sum(not_helpful_n), sum(asked), sum(unanswered)
  FROM outcome
 WHERE started_at >= :from_us AND started_at < :to_us
 GROUP BY week, channel;
