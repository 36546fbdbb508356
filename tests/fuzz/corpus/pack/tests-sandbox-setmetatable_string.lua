-- Tampering: set the metatable of a string (debug.setmetatable's job).
-- Expected: setmetatable takes tables only.
setmetatable("abc", { __index = function() return "pwned" end })
