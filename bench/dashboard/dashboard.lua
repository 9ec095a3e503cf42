-- wrk script: every request is GET /api/v1/dashboard as a random one of the bench users, or, with
-- BENCH_SEQUENTIAL=1 (the warm-up), as each user in turn, so that every user's dashboard gets cached.
-- TOKENS_FILE holds one JWT per line (tokens.py writes it).
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  tokens[#tokens + 1] = line
end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
local sequential = os.getenv("BENCH_SEQUENTIAL") == "1"
local next_index = math.random(#tokens)

request = function()
  local index
  if sequential then
    next_index = next_index % #tokens + 1
    index = next_index
  else
    index = math.random(#tokens)
  end
  return wrk.format("GET", "/api/v1/dashboard", { ["Authorization"] = "Bearer " .. tokens[index] })
end
