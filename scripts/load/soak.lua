-- wrk script for the soak: rotates through the requests listed in
-- soak_mix.txt and counts responses per status class in each thread;
-- done() aggregates the per-thread counters.
-- Args (after `--`): MIX_FILE
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local mix = args[1] or (dir .. "soak_mix.txt")
  local base = mix:match("^(.*/)") or "./"
  reqs = {}
  for line in io.lines(mix) do
    local _, method, path, ctype, body =
      line:match("^%s*(%d+)%s+(%S+)%s+(%S+)%s+(%S+)%s+(%S+)")
    if method then
      local data = nil
      if body ~= "-" then data = common.read_file(base .. body) end
      table.insert(reqs, wrk.format(method, path, common.headers(ctype), data))
    end
  end
  assert(#reqs > 0, "no requests in " .. mix)
  -- Stagger threads so they do not walk the mix in lock-step.
  idx = ((thread_id or 0) * 5) % #reqs
  c1xx, c2xx, c3xx, c4xx, c5xx, cother = 0, 0, 0, 0, 0, 0
end

function request()
  idx = idx % #reqs + 1
  return reqs[idx]
end

function response(status, headers, body)
  if status >= 500 and status < 600 then c5xx = c5xx + 1
  elseif status >= 400 then c4xx = c4xx + 1
  elseif status >= 300 then c3xx = c3xx + 1
  elseif status >= 200 then c2xx = c2xx + 1
  elseif status >= 100 then c1xx = c1xx + 1
  else cother = cother + 1 end
end

function done(summary, latency, requests)
  common.print_result("soak", summary, latency)
  io.write(string.format("CLASSES %d %d %d %d %d %d\n",
    common.sum(threads, "c1xx"), common.sum(threads, "c2xx"),
    common.sum(threads, "c3xx"), common.sum(threads, "c4xx"),
    common.sum(threads, "c5xx"), common.sum(threads, "cother")))
end
