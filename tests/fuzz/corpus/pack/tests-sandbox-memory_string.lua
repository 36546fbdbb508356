-- Denial of service: double a string until the machine runs out of memory,
-- or until comparing two copies takes forever. Expected: the string limit
-- (bytes in one string) stops it.
local s = "x"
while true do
  s = s .. s
end
