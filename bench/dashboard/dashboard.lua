-- wrk script: every request is GET /api/v1/dashboard as a random one of the bench users.
-- TOKENS_FILE holds one JWT per line (tokens.py writes it).
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  tokens[#tokens + 1] = line
end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)

request = function()
  return wrk.format("GET", "/api/v1/dashboard", { ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)] })
end
