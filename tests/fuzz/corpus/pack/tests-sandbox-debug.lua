-- Escape attempt: the registry (and every pack's environment) through debug.
-- Expected: debug is not in the sandbox.
local registry = debug.getregistry()
