pack "runaway" { authority = "credex tests", version = "1" }

-- a helper that never returns: the instruction budget stops the load
local function count_forever()
  local n = 0
  while true do n = n + 1 end
end

count_forever()
