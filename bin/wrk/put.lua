-- PUT a 100-byte value (VALUE_BYTES) to a uniformly random key of the key space (KEYS).
local keys = tonumber(os.getenv("KEYS") or "100000")
local body = string.rep("v", tonumber(os.getenv("VALUE_BYTES") or "100"))
math.randomseed(os.time() + tonumber(os.getenv("SEED") or "0"))
request = function()
  return wrk.format("PUT", "/v1/kv/key-" .. math.random(0, keys - 1), nil, body)
end
