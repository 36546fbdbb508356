-- Denial of service: catch the out-of-memory error with pcall and go on.
-- Expected: the memory limit is sticky like the instruction limit.
local keep = {}
for i = 1, 1e9 do
  pcall(function() keep[#keep + 1] = { i, i, i, i } end)
end
