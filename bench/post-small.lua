-- wrk script: POST a ~20 KB garage backup for one of 500 users, new content each time
-- (a new version per request, so every request pays validation, compression and fsync).
local counter = 0
local filler = string.rep("Vidange + filtre à huile, contrôle des niveaux. ", 400)
local thread_id = 0

setup = function(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end

request = function()
  counter = counter + 1
  local user = "bench-" .. ((counter * 7 + tid * 131) % 500)
  local body = '{"timestamp":"2026-11-24T08:00:00.000Z","version":"1.0","garage":{"name":"Garage Dupré"},'
    .. '"data":{"customers":[{"id":"c1","name":"Élodie","n":' .. counter .. ',"t":' .. tid .. '}],'
    .. '"repairs":[{"id":1,"total":19.90,"notes":"' .. filler .. '"}],"settings":{}}}'
  return wrk.format("POST", "/api/backup", {["Content-Type"] = "application/json", ["X-User-Id"] = user}, body)
end
