-- Denial of service: recursion through a C function (string.gsub calling back).
-- Expected: Lua's C-stack limit stops it.
local function dive(s)
  return (string.gsub(s, ".", dive))
end
dive("x")
