-- Denial of service: unbounded Lua recursion.
-- Expected: Lua's stack limit (or the memory limit) stops it, at the recursion.
local function dive(n)
  return dive(n + 1) + 1
end
dive(1)
