-- Escape attempt: make bytecode with string.dump, to load it later.
-- Expected: string.dump is not in the sandbox's string library.
local bytes = string.dump(function() return 1 end)
