-- Escape attempt: load a C module (or any Lua file) with require.
-- Expected: require is not in the sandbox.
local ffi = require("ffi")
