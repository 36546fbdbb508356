-- Denial of service: a Lua pattern that backtracks exponentially.
-- Expected: the sandbox's matcher charges each step to the instruction limit.
local s = string.rep("a", 40)
local found = string.find(s, string.rep("a*", 30) .. "b")
