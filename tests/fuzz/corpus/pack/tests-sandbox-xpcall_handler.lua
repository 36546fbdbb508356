-- Denial of service: a message handler that loops. A tripped limit is raised
-- inside the count hook, where Lua runs message handlers with hooks off.
-- Expected: once a limit tripped, the pack's handler is not run at all.
xpcall(function()
  while true do end
end, function(message)
  while true do end
end)
