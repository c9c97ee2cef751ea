-- wrk script: each request comes from a prepared file (one "METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY" per line),
-- spread over the threads. If a thread uses up its share it starts again and says so ("WRAPPED"):
-- the benchmark prepares more requests than the run can send, so that never happens in a valid run.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[2])
  requests, index = {}, 0
  local n = 0
  for line in io.lines(args[1]) do
    if n % nthreads == id then
      local method, path, cookie, body = line:match("^(%S+)\t(%S+)\t(%S*)\t(.*)$")
      local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["User-Agent"] = args[3]}
      if cookie ~= "" then headers["Cookie"] = cookie end
      table.insert(requests, wrk.format(method, path, headers, body ~= "" and body or nil))
    end
    n = n + 1
  end
end

function request()
  index = index + 1
  if index > #requests then
    index, wrapped = 1, true
  end
  return requests[index]
end

done = function(summary, latency, requests)
  for _, thread in ipairs(threads) do
    if thread:get("wrapped") then io.write("WRAPPED\n") end
  end
  io.write(string.format("WRKJSON {\"requests\": %d, \"seconds\": %.4f, \"p50\": %.2f, \"p95\": %.2f, \"p99\": %.2f, " ..
    "\"errors\": %d, \"non2xx\": %d}\n", summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
