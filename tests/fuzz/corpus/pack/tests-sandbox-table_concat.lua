-- Denial of service: table.concat of a huge table, over and over.
-- Expected: table.concat is charged per element.
local t = {}
for i = 1, 50000 do t[i] = "x" end
for i = 1, 1000 do
  local s = table.concat(t)
end
