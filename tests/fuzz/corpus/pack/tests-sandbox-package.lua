-- Escape attempt: reach the real os table through package.loaded.
-- Expected: package is not in the sandbox.
local os = package.loaded.os
