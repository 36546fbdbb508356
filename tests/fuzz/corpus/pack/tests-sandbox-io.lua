-- Escape attempt: read a file through the io library.
-- Expected: io is not in the sandbox.
local f = io.open("/etc/passwd")
