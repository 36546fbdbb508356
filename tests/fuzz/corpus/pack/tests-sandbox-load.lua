-- Escape attempt: compile code at run time (text or bytecode) with load.
-- Expected: load is not in the sandbox.
local f = load("return 1")
