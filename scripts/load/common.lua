-- Shared helpers for the wrk scripts in scripts/load/ (loaded with dofile).
-- wrk runs one Lua state per thread plus one "main" state for setup()/done();
-- globals set in a thread are read back from the main state with thread:get().

local M = {}

function M.read_file(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

-- Request headers for an optional content type ("-" means none). Host is set
-- explicitly so pre-formatted requests never depend on wrk.init ordering.
function M.headers(content_type)
  local h = {}
  if wrk.headers["Host"] then
    h["Host"] = wrk.headers["Host"]
  else
    h["Host"] = wrk.port and (wrk.host .. ":" .. wrk.port) or wrk.host
  end
  if content_type and content_type ~= "-" then
    h["Content-Type"] = content_type
  end
  return h
end

-- Sum a numeric global across all threads (main state only).
function M.sum(threads, key)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + (tonumber(t:get(key)) or 0)
  end
  return total
end

-- Print the machine-readable result line parsed by load.sh:
-- RESULT name rps p50_ms p90_ms p99_ms socket_errors status_non_ok \
--        requests duration_s connect read write timeout max_ms
function M.print_result(name, summary, latency)
  local e = summary.errors
  local secs = summary.duration / 1e6
  local rps = secs > 0 and summary.requests / secs or 0
  local function ms(p) return latency:percentile(p) / 1000 end
  io.write(string.format(
    "RESULT %s %.1f %.3f %.3f %.3f %d %d %d %.2f %d %d %d %d %.3f\n",
    name, rps, ms(50), ms(90), ms(99),
    e.connect + e.read + e.write + e.timeout, e.status,
    summary.requests, secs, e.connect, e.read, e.write, e.timeout,
    latency.max / 1000))
end

return M
