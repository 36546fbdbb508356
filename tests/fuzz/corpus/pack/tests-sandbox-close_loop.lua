-- Denial of service: a to-be-closed variable whose __close loops (it runs on
-- scope exit, also while an error unwinds). Expected: counted like any code.
do
  local guard <close> = setmetatable({}, { __close = function()
    while true do end
  end })
end
