-- 90% GET / 10% PUT of 100-byte values over the key space (KEYS).
local keys = tonumber(os.getenv("KEYS") or "100000")
local body = string.rep("v", tonumber(os.getenv("VALUE_BYTES") or "100"))
math.randomseed(os.time() + tonumber(os.getenv("SEED") or "0"))
request = function()
  local path = "/v1/kv/key-" .. math.random(0, keys - 1)
  if math.random(1, 10) == 1 then
    return wrk.format("PUT", path, nil, body)
  end
  return wrk.format("GET", path)
end
