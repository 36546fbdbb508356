-- Escape attempt: run another file.
-- Expected: dofile is not in the sandbox.
dofile("/etc/passwd")
