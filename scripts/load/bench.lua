-- wrk script: one fixed request, repeated (wrk's fast static-request path;
-- no response() hook so the client stays cheap). Non-2xx/3xx responses are
-- counted by wrk itself (summary.errors.status).
-- Args (after `--`): NAME METHOD PATH CONTENT_TYPE|- BODY_FILE|- [cold]
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  name = args[1] or "unnamed"
  wrk.method = args[2] or "GET"
  wrk.path = args[3] or "/"
  wrk.headers = common.headers(args[4])
  if args[5] and args[5] ~= "-" then
    wrk.body = common.read_file(args[5])
  end
  if args[6] == "cold" then
    -- A unique body per request: defined only in cold mode, so the other
    -- scenarios keep wrk's static-request path.
    local base = wrk.body
    local tag = tostring(math.random(1, 1000000000))
    local counter = 0
    request = function()
      counter = counter + 1
      local body = base:gsub("SKU%-1", "SKU-" .. tag .. "-" .. counter)
      return wrk.format(nil, nil, nil, body)
    end
  end
end

function done(summary, latency, requests)
  common.print_result(threads[1]:get("name"), summary, latency)
end
