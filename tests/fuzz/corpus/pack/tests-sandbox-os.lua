-- Escape attempt: run a shell command through the os library.
-- Expected: os is not in the sandbox; reading it is an undefined global.
os.execute("touch /tmp/credex-pwned")
