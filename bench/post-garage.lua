-- wrk script: 64 clients POST a realistic ~20 KB garage backup (customers, vehicles, repairs, invoices,
-- stock, the seed's CloudBackupData shape), each request a new version (one repair's mileage and the
-- timestamp change), so every request pays validation, compression, delta and fsync.
--   wrk -t2 -c64 -d10s --latency -s bench/post-garage.lua URL -- users=64   (default 64; 1 = one shared user)
-- users=N: each thread cycles over its own N/threads users, so with N = 64 and 64 connections each user has
-- about one request in flight at a time: the hosted case, a garage per client.
local counter = 0
local thread_id = 0
local threads = {}

setup = function(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

local names = {"Élodie Martin", "Jean-Luc Dupré", "Søren Nielsen", "Amélie Faure", "Karim Benali",
  "Chloé Lefèvre", "Mathis Girard", "Inès Roussel", "Lucas Bernard", "Zoé Garnier"}
local makes = {"Renault Clio", "Peugeot 208", "Citroën C3", "Dacia Sandero", "Volkswagen Golf", "Toyota Yaris"}
local works = {"Vidange + filtre à huile", "Plaquettes de frein avant", "Courroie de distribution",
  "Contrôle technique (pré-visite)", "Pneus 205/55 R16 ×2", "Diagnostic électronique"}

local function garage(seed)
  local parts = {}
  local customers, vehicles, repairs, invoices, stock = {}, {}, {}, {}, {}
  for i = 1, 24 do
    local n = names[(i + seed) % #names + 1]
    customers[#customers + 1] = string.format(
      '{"id":"c%d","name":"%s","phone":"06 %02d %02d %02d %02d","email":"client%d@exemple.fr","address":"%d rue des Lilas, 69003 Lyon","createdAt":"2026-0%d-1%dT09:30:00.000Z"}',
      i, n, i, (i * 7) % 100, (i * 13) % 100, (i * 31) % 100, i, i * 3, (i % 9) + 1, i % 10)
  end
  for i = 1, 24 do
    vehicles[#vehicles + 1] = string.format(
      '{"id":"v%d","customerId":"c%d","make":"%s","plate":"A%s-%03d-B%s","year":%d,"vin":"VF1RFB00%09d","mileage":%d}',
      i, i, makes[i % #makes + 1], string.char(65 + i % 26), i * 7, string.char(66 + i % 20), 2008 + i % 16, i * 7919, 40000 + i * 1234)
  end
  for i = 1, 22 do
    repairs[#repairs + 1] = string.format(
      '{"id":%d,"vehicleId":"v%d","mechanicId":"m%d","description":"%s","status":"%s","laborHours":%.1f,"total":%d.%02d,"notes":"Client prévenu par téléphone, pièce commandée chez le fournisseur habituel.","date":"2026-11-%02dT14:00:00.000Z"}',
      i, (i % 24) + 1, (i % 3) + 1, works[i % #works + 1], (i % 3 == 0) and "terminé" or "en cours", 0.5 + (i % 6), 80 + i * 17, i % 100, (i % 28) + 1)
  end
  for i = 1, 20 do
    invoices[#invoices + 1] = string.format(
      '{"id":"f%d","number":"FA-2026-%04d","customerId":"c%d","repairId":%d,"amount":%d.%02d,"vat":20,"paid":%s,"issuedAt":"2026-11-%02d"}',
      i, i, (i % 24) + 1, i, 96 + i * 20, (i * 3) % 100, (i % 2 == 0) and "true" or "false", (i % 28) + 1)
  end
  for i = 1, 20 do
    stock[#stock + 1] = string.format(
      '{"id":"s%d","reference":"REF-%05d","label":"Filtre à huile modèle %d","quantity":%d,"unitPrice":%d.%02d,"supplier":"Autodistribution"}',
      i, i * 37, i, i % 12, 5 + i, (i * 11) % 100)
  end
  return customers, vehicles, repairs, invoices, stock
end

local customers, vehicles, repairs, invoices, stock
local users = 64
local threads_count = 2

init = function(args)
  for _, a in ipairs(args) do
    local k, v = a:match("^(%w+)=(%d+)$")
    if k == "users" then users = tonumber(v) end
    if k == "threads" then threads_count = tonumber(v) end
  end
  customers, vehicles, repairs, invoices, stock = garage(tid)
end

request = function()
  counter = counter + 1
  local user
  if users <= 1 then
    user = "bench-one"
  else
    local per = math.max(1, math.floor(users / threads_count))
    user = "bench-" .. (tid * per + counter % per)
  end
  -- a day's edit: one repair's total and the mileage of a vehicle, so the version is new
  local edited = string.format(
    '{"id":"v1","customerId":"c1","make":"Renault Clio","plate":"AB-123-CD","year":2019,"vin":"VF1RFB00000000001","mileage":%d}',
    50000 + counter * 10 + tid)
  local body = '{"timestamp":"2026-11-24T08:' .. string.format("%02d:%02d", counter % 60, tid % 60) .. '.000Z","version":"1.0",'
    .. '"garage":{"name":"Garage Dupré & Fils","siret":"123 456 789 00012","address":"12 avenue Jean Jaurès, 69007 Lyon"},'
    .. '"data":{"customers":[' .. table.concat(customers, ",") .. '],'
    .. '"vehicles":[' .. edited .. "," .. table.concat(vehicles, ",", 2) .. '],'
    .. '"repairs":[' .. table.concat(repairs, ",") .. '],'
    .. '"invoices":[' .. table.concat(invoices, ",") .. '],'
    .. '"users":[{"id":"u1","name":"Patron","role":"admin"}],'
    .. '"mechanics":[{"id":"m1","name":"Hugo"},{"id":"m2","name":"Nadia"},{"id":"m3","name":"Rémi"}],'
    .. '"appointments":[],"stock":[' .. table.concat(stock, ",") .. '],'
    .. '"settings":{"currency":"EUR","language":"fr","vatRate":20}}}'
  return wrk.format("POST", "/api/backup", {["Content-Type"] = "application/json", ["X-User-Id"] = user}, body)
end
