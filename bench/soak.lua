-- soak.lua: the wrk script of bench/soak.sh. Mixed traffic in a fixed rotation; every answer is
-- classified by status, x-amzn-ErrorType and body, and anything not on the expected list is
-- counted as unexpected. done() prints one line per class: sent and answered.

local model = "/model/anthropic.claude-3-haiku-20240307-v1%3A0"
local hello = '{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}'
-- Every request carries what an SDK sends: the default (lenient) auth mode reads the account
-- from the SigV4 Authorization header without verifying it, and refuses a request without one.
local json = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDSOAK/20260101/us-east-1/bedrock/aws4_request, "
    .. "SignedHeaders=content-type;host;x-amz-date, Signature=00",
}

-- Rotation: mostly valid Converse, then each kind of other traffic.
local rotation = { "converse", "converse", "converse", "converse", "stream", "bad_json", "bad_model",
                   "unknown_path", "admin", "rule_error", "quota" }
-- Which answer classes each kind may get; a quota-limited model may answer 429.
local allowed = {
  converse = { converse_ok = true, throttled = true },
  stream = { stream_ok = true, throttled = true },
  bad_json = { serialization = true },
  bad_model = { invalid_model = true },
  unknown_path = { unknown_operation = true },
  admin = { admin_ok = true },
  rule_error = { rule_unavailable = true },   -- soak.sh posts a rule: this model is unavailable
  quota = { converse_ok = true, throttled = true }, -- soak.sh gives this model 60 requests a minute
}

local requests = {}
sent = {}
got = {}
local threads = {}
local i = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  requests.converse = wrk.format("POST", model .. "/converse", json, hello)
  requests.stream = wrk.format("POST", model .. "/converse-stream", json, hello)
  requests.bad_json = wrk.format("POST", model .. "/converse", json, '{"messages":')
  requests.bad_model = wrk.format("POST", "/model/no.such-model-v1%3A0/converse", json, hello)
  requests.unknown_path = wrk.format("POST", "/model/x/chat", json, hello)
  requests.admin = wrk.format("GET", "/_mock/health", json)
  requests.rule_error = wrk.format("POST", "/model/mistral.mistral-7b-instruct-v0%3A2/converse", json, hello)
  requests.quota = wrk.format("POST", "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse", json, hello)
end

function request()
  i = i + 1
  local kind = rotation[(i % #rotation) + 1]
  sent[kind] = (sent[kind] or 0) + 1
  return requests[kind]
end

local function header(headers, name)
  for k, v in pairs(headers) do
    if string.lower(k) == name then return v end
  end
  return ""
end

local function classify(status, headers, body)
  local etype = header(headers, "x-amzn-errortype")
  local ctype = header(headers, "content-type")
  body = body or ""
  if status == 200 and ctype:find("vnd.amazon.eventstream", 1, true) then return "stream_ok" end
  if status == 200 and body:find('"output"', 1, true) then return "converse_ok" end
  if status == 200 and body:find('"status":"ok"', 1, true) then return "admin_ok" end
  if status == 400 and etype:find("^SerializationException") then return "serialization" end
  if status == 400 and etype:find("^ValidationException") then
    if body:find("model identifier is invalid", 1, true) then return "invalid_model" end
  end
  if status == 404 and etype:find("^UnknownOperationException") then return "unknown_operation" end
  if status == 429 and etype:find("^ThrottlingException") then return "throttled" end
  if status == 503 and etype:find("^ServiceUnavailableException") then return "rule_unavailable" end
  return "unexpected_" .. status
end

function response(status, headers, body)
  local class = classify(status, headers, body)
  got[class] = (got[class] or 0) + 1
end

function done(summary, latency, requests_done)
  local total_sent, total_got, classes = {}, {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("sent")) do total_sent[k] = (total_sent[k] or 0) + v end
    for k, v in pairs(t:get("got")) do total_got[k] = (total_got[k] or 0) + v; classes[k] = true end
  end
  local unexpected = 0
  for class, n in pairs(total_got) do
    local ok = false
    for _, allow in pairs(allowed) do if allow[class] then ok = true end end
    if not ok then unexpected = unexpected + n end
    io.write(string.format("soak-class\t%s\t%d\n", class, n))
  end
  for kind, n in pairs(total_sent) do
    io.write(string.format("soak-sent\t%s\t%d\n", kind, n))
  end
  io.write(string.format("soak-unexpected\t%d\n", unexpected))
  io.write(string.format("soak-errors\tconnect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
  io.write(string.format("soak-latency-us\tp50=%d p99=%d max=%d\n", latency:percentile(50),
    latency:percentile(99), latency.max))
end
