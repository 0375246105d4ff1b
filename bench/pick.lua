-- wrk script: each request takes a random line of $BENCH_IDS (fields separated by spaces) and
-- puts its fields into $BENCH_PATH and $BENCH_BODY in place of {1}, {2} ... ({} is {1}).
-- $BENCH_METHOD (default GET), $BENCH_TOKEN (a bearer token) and $BENCH_BODY are optional;
-- $BENCH_BODY_FILE gives a body too large for the environment (it wins over $BENCH_BODY).
-- In path and body, {n} is the thread's request counter and each {r} a random value 0.0-99.9.
local lines = {}
local file = os.getenv("BENCH_IDS")
if file and file ~= "" then
  for line in io.lines(file) do
    if #line > 0 then lines[#lines + 1] = line end
  end
end
local template = os.getenv("BENCH_PATH") or "/"
local method = os.getenv("BENCH_METHOD") or "GET"
local token = os.getenv("BENCH_TOKEN")
local body = os.getenv("BENCH_BODY")
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "r"))
  body = f:read("*a")
  f:close()
end
if body == "" then body = nil end
local counter = 0

local function fill(text, line)
  if not text then return nil end
  local fields = {}
  -- A field is put in as it is: `%` (of percent-encoding) is special in a replacement.
  for field in string.gmatch(line, "%S+") do fields[#fields + 1] = field:gsub("%%", "%%%%") end
  text = text:gsub("{}", fields[1] or "")
  for i, field in ipairs(fields) do text = text:gsub("{" .. i .. "}", field) end
  text = text:gsub("{n}", tostring(counter))
  text = text:gsub("{r}", function() return string.format("%.1f", math.random(0, 999) / 10) end)
  return text
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  counter = counter + 1
  local line = #lines > 0 and lines[math.random(#lines)] or ""
  local headers = {}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  local payload = fill(body, line)
  if payload then headers["Content-Type"] = "application/json" end
  return wrk.format(method, fill(template, line), headers, payload)
end
