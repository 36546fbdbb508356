-- Denial of service: a loop that never ends.
-- Expected: the instruction limit stops it, at the loop.
local n = 0
while true do
  n = n + 1
end
