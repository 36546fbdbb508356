-- Escape attempt: string.dump through a plain string's methods.
-- Expected: the string metatable's __index is the restricted string table.
local dump = ("").dump
