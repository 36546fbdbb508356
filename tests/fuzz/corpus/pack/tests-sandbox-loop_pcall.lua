-- Denial of service: an endless loop inside pcall, then pcall again after the
-- trip. Expected: the limit is sticky; pcall cannot swallow it.
local tries = 0
for i = 1, 100 do
  local ok = pcall(function() while true do end end)
  tries = tries + 1
end
