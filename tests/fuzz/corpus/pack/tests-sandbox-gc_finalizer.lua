-- Denial of service: a finalizer that loops (finalizers run with hooks off).
-- Expected: setmetatable refuses __gc.
setmetatable({}, { __gc = function() while true do end end })
