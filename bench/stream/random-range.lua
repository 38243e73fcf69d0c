-- wrk script: every request asks for a random 64 KiB range of a file of
-- SIZE bytes (a player seeking), the same sequence for every server. TOKEN,
-- when set, is sent as the internal token (stream-service asks for it;
-- nginx ignores it, so every server gets the same request).
local size = tonumber(os.getenv("SIZE"))
local token = os.getenv("TOKEN")
local span = 65536
math.randomseed(42)

request = function()
  local first = math.random(0, size - span)
  local headers = { ["Range"] = "bytes=" .. first .. "-" .. (first + span - 1) }
  if token and token ~= "" then
    headers["x-tonearm-internal-token"] = token
  end
  return wrk.format("GET", nil, headers)
end

done = function(summary, latency, requests)
  -- Surface answers that were not 206 (wrk counts them as non-2xx/3xx only).
  io.write(string.format("errors: %d\n", summary.errors.status + summary.errors.read + summary.errors.connect))
end
