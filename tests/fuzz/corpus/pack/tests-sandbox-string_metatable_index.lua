-- Tampering: swap the string metatable's __index for a table of our own.
-- Expected: getmetatable("") returns a read-only view.
getmetatable("").__index = { upper = function() return "pwned" end }
