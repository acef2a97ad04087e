-- wrk script: GET /api/sync/status for one of 500 users
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/api/sync/status", {["X-User-Id"] = "bench-" .. (counter % 500)})
end
