-- Denial of service: string.rep runs in one C call the count hook never sees.
-- Expected: string.rep is bounded on its result before allocating it.
local s = string.rep("x", 1e12)
