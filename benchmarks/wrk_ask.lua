-- wrk script: POST /api/ask with a different question on every request (no answer or embedding cache can help).
-- Usage: wrk -t1 -cN -dS --latency -s benchmarks/wrk_ask.lua URL -- QUESTIONS_FILE OFFSET
-- QUESTIONS_FILE: one JSON-encoded request body per line ({"question": …, "history": []}); OFFSET: first line used.
-- Each wrk thread takes every THREADS-th line after OFFSET, so threads never repeat each other's questions.
-- done() prints one line "WRK_JSON {...}" with the counts and latency percentiles (µs) for the caller to parse.

local bodies = {}
counter = 0
local threads = {}
thread_id = 0
nthreads = 1
cached = 0
refused = 0
non200 = 0

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  local offset = tonumber(args[2] or "0")
  nthreads = tonumber(args[3] or "1")
  local i = 0
  for line in io.lines(path) do
    if i >= offset and (i - offset) % nthreads == thread_id then
      table.insert(bodies, line)
    end
    i = i + 1
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = bodies[((counter - 1) % #bodies) + 1]
  return wrk.format(nil, "/api/ask", nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  else
    if string.find(body, '"cached"', 1, true) then cached = cached + 1 end
    if string.find(body, '"refused":true', 1, true) or string.find(body, '"refused": true', 1, true) then
      refused = refused + 1
    end
  end
end

function done(summary, latency, requests)
  local sent, c, r, n = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    sent = sent + (t:get("counter") or 0)
    c = c + (t:get("cached") or 0)
    r = r + (t:get("refused") or 0)
    n = n + (t:get("non200") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "sent": %d, "cached": %d, "refused": %d, ' ..
    '"non200": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, ' ..
    '"timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, summary.bytes, sent, c, r, n, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
