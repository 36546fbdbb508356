-- Nondeterminism: observe or drive the collector.
-- Expected: collectgarbage is not in the sandbox.
local kb = collectgarbage("count")
