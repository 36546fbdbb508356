-- Denial of service: double a string until the machine runs out of memory.
-- Expected: the memory limit stops it.
local s = "x"
while true do
  s = s .. s
end
