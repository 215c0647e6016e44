-- bench/soak.sh's request mix for wrk: the docs' GET, payment creates (called back to a sink),
-- clock advances, webhook events and, rarely, a reset; each thread stops after its share of
-- the requests. Counts answers by class; done() prints them.
local paths = {}
counts = { ok = 0, client = 0, server = 0 }
local sent, share = 0, 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  table.insert(threads, thread)
end

function init(args)
  share = tonumber(args[1]) or 500000
  local sink = args[2] or "http://127.0.0.1:9/k2"
  local token = "Bearer 0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q"
  local get = wrk.format("GET", "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364", { Authorization = token })
  local create = wrk.format("POST", "/api/v1/payments", { Authorization = token, ["Content-Type"] = "application/json" },
    '{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747",' ..
    '"amount":{"currency":"KES","value":100},"_links":{"callback_url":"' .. sink .. '"}}')
  local advance = wrk.format("POST", "/__admin/clock/advance", { ["Content-Type"] = "application/json" }, '{"seconds":1}')
  local event = wrk.format("POST", "/__admin/events", { ["Content-Type"] = "application/json" }, '{"topic":"customer_created"}')
  local reset = wrk.format("POST", "/__admin/reset", {})
  -- 1000 requests: 800 GETs, 150 creates, 30 advances, 19 events, 1 reset per thread-cycle.
  for i = 1, 1000 do
    if i % 1000 == 0 and id == 1 then paths[i] = reset
    elseif i % 50 == 1 then paths[i] = event
    elseif i % 33 == 2 then paths[i] = advance
    elseif i % 7 == 3 then paths[i] = create
    else paths[i] = get end
  end
end

function request()
  sent = sent + 1
  return paths[(sent - 1) % #paths + 1]
end

function response(status, headers, body)
  if status >= 500 then counts.server = counts.server + 1
  elseif status >= 400 then counts.client = counts.client + 1
  else counts.ok = counts.ok + 1 end
  if counts.ok + counts.client + counts.server >= share then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local ok, client, server = 0, 0, 0
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    ok, client, server = ok + c.ok, client + c.client, server + c.server
  end
  io.write(string.format("answers: %d 2xx, %d 4xx, %d 5xx\n", ok, client, server))
end
