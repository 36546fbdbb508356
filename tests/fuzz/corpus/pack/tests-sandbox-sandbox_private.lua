-- Tampering: reach the stdlib's private _sandbox table.
-- Expected: names starting with "_" in the stdlib are not visible to packs.
_sandbox.declare("stack", {})
