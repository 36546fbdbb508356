-- prelude.lua -- the first thing the stdlib defines: declare(), the one
-- way a rule reaches C. Keeps no state of its own (the stdlib environment
-- is frozen once loaded); the DSL constructors build on this.

-- Records a declaration of `kind` (a rule, a pack header, ...) for the pack
-- now loading, cited at the line of the pack that made it. Only while a
-- pack loads: rules cannot be made during a decision.
function declare(kind, value)
  if type(kind) ~= "string" or kind == "" then
    error("declare: the kind must be a non-empty string", 2)
  end
  if type(value) ~= "table" then
    error("declare: the value of a " .. kind .. " must be a table, got " .. type(value), 2)
  end
  return _sandbox.declare(kind, value)
end
