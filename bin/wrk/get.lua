-- GET a uniformly random key of the preloaded key space (KEYS, default 100000).
local keys = tonumber(os.getenv("KEYS") or "100000")
math.randomseed(os.time() + tonumber(os.getenv("SEED") or "0"))
request = function()
  return wrk.format("GET", "/v1/kv/key-" .. math.random(0, keys - 1))
end
