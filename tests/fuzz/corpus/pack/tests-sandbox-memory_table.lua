-- Denial of service: grow a table until the machine runs out of memory.
-- Expected: the memory limit (bytes allocated) stops it.
local t = {}
for i = 1, 1e9 do
  t[i] = {}
end
