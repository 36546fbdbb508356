-- Nondeterminism: add __mode to a metatable after setmetatable checked it.
-- Expected: found when the chunk ends, cited at the setmetatable call.
local mt = {}
local cache = setmetatable({}, mt)
mt.__mode = "k"
