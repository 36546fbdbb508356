-- bench_serve.lua -- wrk's requests for tests/bench/bench_serve.sh: POST
-- /v1/transfer (a credential of the 50 gen_catalog makes, from its state
-- into another) or /v1/audit (a holder of 100,000 towards GEN-CA-046), the
-- bodies bench_serve.c's body_of() makes for the same index. Run as
-- `wrk ... -s bench_serve.lua URL -- transfer|audit`; done() prints one
-- line "RESULT key=value ..." (microseconds) that bench_serve.sh reads.
local states = { "TX", "CA", "NV", "AZ", "CT" }
local holders = 100000
local kind = "transfer"
local counter = 0
local nthreads = 0

function setup(thread)
  thread:set("first", nthreads * 10000019)
  nthreads = nthreads + 1
end

function init(args)
  kind = args[1] or "transfer"
  counter = first or 0
end

local function body(i)
  if kind == "audit" then
    return string.format('{"holder":"h-%07d","stack":"GEN-CA-046","as_of":"2026-06-01"}',
      (i * 7919) % holders + 1)
  end
  local c = i % 50
  local from = c % 5
  local to = (from + 1 + math.floor(i / 50) % 4) % 5
  return string.format('{"credential":"GEN-%s-%03d","from":"US-%s","to":"US-%s","as_of":"2026-06-01"}',
    states[from + 1], c, states[from + 1], states[to + 1])
end

function request()
  local i = counter
  counter = counter + 1
  return wrk.format("POST", "/v1/" .. kind, { ["Content-Type"] = "application/json" }, body(i))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, e.connect, e.read, e.write,
    e.status, e.timeout))
end
