-- Nondeterminism: a weak table makes results depend on the collector.
-- Expected: setmetatable refuses __mode.
local cache = setmetatable({}, { __mode = "k" })
