-- Tampering: replace a string method for every pack through getmetatable("").
-- Expected: the string metatable and what it shows are read-only.
getmetatable("").__index.upper = function() return "pwned" end
