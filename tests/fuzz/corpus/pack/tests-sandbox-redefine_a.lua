-- One pack redefines globals the next pack reads (tostring, declare, string)
-- and leaves a global behind. Expected: only its own environment changes.
local real_declare = declare
tostring = function() return "pwned" end
declare = function() error("pwned") end
string = { upper = function() return "pwned" end }
helper = "left behind by redefine_a"
real_declare("marker", { by = "redefine_a" })
