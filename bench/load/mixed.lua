-- wrk script: a mix of report pages, gap lists and NDJSON ingest against one
-- account. Tokens come from the environment (run.sh sets them). Each thread
-- numbers its own events, so every ingested event is new.
local viewer = os.getenv("AP_VIEWER_TOKEN")
local ingest = os.getenv("AP_INGEST_TOKEN")
local batch = tonumber(os.getenv("AP_BATCH") or "20")

local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

local reads = {
  "/v1/reports",
  "/v1/reports?granularity=day",
  "/v1/reports/handled_over_time?granularity=month",
}
-- AP_GAPS=0 leaves the gap lists out of the mix (see docs/benchmarks.md).
if os.getenv("AP_GAPS") ~= "0" then
  for _, p in ipairs({"/v1/gaps", "/v1/gaps?sort=last&limit=100", "/v1/gaps?status=all&channel=chat"}) do
    table.insert(reads, p)
  end
end

local function events()
  local lines = {}
  for i = 1, batch do
    counter = counter + 1
    local conv = string.format("load-%d-%d", tid, math.floor(counter / 4))
    local id = string.format("load-%d-%d", tid, counter)
    if counter % 4 == 0 then
      lines[i] = string.format('{"id":"%s","type":"conversation.started","at":"2026-11-27T10:00:00Z","conversation_id":"%s","channel":"chat"}', id, conv)
    else
      lines[i] = string.format('{"id":"%s","type":"question.asked","at":"2026-11-27T10:01:00Z","conversation_id":"%s","text":"load question %d about invoices","answered":%s}', id, conv, counter % 50, counter % 3 == 0 and "true" or "false")
    end
  end
  return table.concat(lines, "\n") .. "\n"
end

local n = 0
function request()
  n = n + 1
  -- One request in four is an ingest of `batch` events, the rest reads.
  if n % 4 == 0 then
    return wrk.format("POST", "/v1/events", {
      ["Authorization"] = "Bearer " .. ingest,
      ["Content-Type"] = "application/x-ndjson",
    }, events())
  end
  local path = reads[(n % #reads) + 1]
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. viewer})
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("requests=%d duration_s=%.1f rps=%.0f\n", summary.requests,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency_ms p50=%.1f p90=%.1f p99=%.1f max=%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("errors connect=%d read=%d write=%d timeout=%d status=%d\n",
    errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
