-- wrk script: POST a SOAP body read from a file (argument 1). In the body, {{LEAD}} becomes a
-- lead number in [0, argument 2) round robin and {{N}} the request's sequence number, so that
-- every syncLead really changes a lead. Prints one JSON line of results when done.

local template, leads, counter, dynamic
local headers = { ["Content-Type"] = "text/xml; charset=utf-8" }

function init(args)
  local file = assert(io.open(args[1], "rb"))
  template = file:read("*a")
  file:close()
  leads = tonumber(args[2] or "1")
  counter = 0
  dynamic = template:find("{{", 1, true) ~= nil
  if not dynamic then
    wrk.method, wrk.body, wrk.headers["Content-Type"] = "POST", template, headers["Content-Type"]
  end
end

function request()
  if not dynamic then
    return wrk.format()
  end
  counter = counter + 1
  local body = template:gsub("{{N}}", tostring(counter)):gsub("{{LEAD}}", tostring(counter % leads))
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
