-- Denial of service: comparing two long equal strings costs their length
-- inside one VM instruction, which the count hook cannot see.
-- Expected: no string may be long enough for that to matter.
local a = string.rep("x", 1 << 19)
local b = a .. ""
for i = 1, 1e7 do local same = (a == b) end
