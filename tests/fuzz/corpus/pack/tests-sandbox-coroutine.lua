-- Escape attempt: coroutines (yield across the sandbox's C boundaries).
-- Expected: coroutine is not in the sandbox.
local co = coroutine.create(function() end)
