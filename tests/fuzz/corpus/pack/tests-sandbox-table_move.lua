-- Denial of service: table.move over a huge range, in one C call.
-- Expected: table.move is charged for the range its arguments ask for.
table.move({}, 1, 1e12, 2)
