-- dsl.lua -- the rule language (docs/design.md §4): every constructor in the house
-- shape "a constructor, then a table". Constructors only build plain
-- tables in the shapes of docs/rule-tree.md and declare them; they check
-- the shape of their own arguments, and compile.c checks everything else
-- (field names, dates, regexes, ids against the registry). No state is kept
-- here: the stdlib is frozen once loaded.

-- ---------------------------------------------------------------- helpers

local function describe(v)
  if type(v) == "string" then return "the string \"" .. v .. "\"" end
  if type(v) == "nil" then return "nothing" end
  return "a " .. type(v)
end

-- Raises a load error located at the pack line that called the constructor.
local function fail(ctor, message)
  error(ctor .. ": " .. message, 3)
end

-- What every constructor takes, in one place: how it is written, and the
-- most arguments each of its calls takes ([2] the constructor itself, [3]
-- the call that follows it: the body table, or a slot's options). A call
-- with more is a load error; missing or mistyped arguments are each
-- constructor's own checks below.
local signatures = {
  pack = { 'pack "ID" { authority = ..., version = ..., cite = ... }', 1, 1 },
  stack = { 'stack "CREDENTIAL-ID" { requires = ..., window = ..., award = ... }', 1, 1 },
  equivalence = { 'equivalence "ID" { from = ..., to = ..., when = ... }', 1, 1 },
  recognize = { 'recognize "ID" { into = ..., from = ..., credentials = ... }', 1, 1 },
  deny = { 'deny "ID" { into = ..., from = ..., credentials = ..., reason = ... }', 1, 1 },
  counts_as = { 'counts_as { from = "A", to = "B" }', 1 },
  equivalent = { 'equivalent { "A", "B", ... }', 1 },
  renews = { 'renews "X" { "Y", ... }', 1, 1 },
  credential = { 'credential "ID" { options }', 1, 1 },
  matching = { 'matching "REGEX" { options }', 1, 1 },
  tagged = { 'tagged "TAG" { options }', 1, 1 },
  competency = { 'competency "ID" { options }', 1, 1 },
  hours = { "hours(N, SELECTOR) { options }", 2, 1 },
  sum = { 'sum("ATTRIBUTE", N[, SELECTOR]) { options }', 3, 1 },
  all = { "all { REQUIREMENTS }", 1 },
  any = { "any { REQUIREMENTS }", 1 },
  at_least = { "at_least(N) { REQUIREMENTS }", 1, 1 },
  holder_attr = { 'holder_attr("ATTRIBUTE", "OP", VALUE) { options }', 3, 1 },
  check = { "check(function(ctx) ... end) { options }", 1, 1 },
  from_provider = { 'from_provider "ID"', 1 },
  type_is = { 'type_is "TYPE"', 1 },
  any_credential = { "any_credential", 0 },
  any_of = { "any_of { SELECTORS }", 1 },
  all_of = { "all_of { SELECTORS }", 1 },
  issued_between = { 'issued_between { "FROM", "TO" }', 1 },
  member_of = { 'member_of "GROUP" { status = ... }', 1, 1 },
  coverage = { 'coverage "80%" or coverage(0.8)', 1 },
  cite = { 'cite "TEXT"', 1 },
}

local ordinals = { "1st", "2nd", "3rd" }

-- Raises a load error at the pack line of the call when call `which` (1
-- or 2) of constructor ctor got n arguments, more than its signature
-- takes; the arguments follow n.
local function takes(ctor, which, n, ...)
  local most = signatures[ctor][which + 1]
  if n <= most then return end
  local extra = select(most + 1, ...)
  local nth = ordinals[most + 1] or (most + 1) .. "th"
  error(ctor .. ": expected " .. signatures[ctor][1] .. ", got " .. n .. " arguments"
    .. (which == 2 and " after " .. ctor .. "(...)" or "")
    .. " (the " .. nth .. " is " .. describe(extra) .. ")", 3)
end

local function need_string(ctor, what, v)
  if type(v) ~= "string" or v == "" then
    fail(ctor, "expected " .. what .. ", got " .. describe(v))
  end
end

local function need_table(ctor, what, v)
  if type(v) ~= "table" then
    fail(ctor, "expected " .. what .. ", got " .. describe(v))
  end
end

local function need_number(ctor, what, v)
  if type(v) ~= "number" or v ~= v or v < 0 or v == math.huge then
    fail(ctor, "expected " .. what .. ", got " .. describe(v))
  end
end

-- A node of kind t, stamped with the pack line that made it.
local function node(t, kind)
  t._t = kind
  return _sandbox.stamp(t)
end

-- ctor "x" { options }: copies the named fields of opts into the node.
local function add_options(self, opts, ...)
  local ctor = self._t
  takes(ctor, 2, select("#", ...) + 1, opts, ...)
  if type(opts) ~= "table" then
    error(ctor .. ": expected a table of options such as { label = \"...\" }, got "
      .. describe(opts), 2)
  end
  for k, v in pairs(opts) do
    if type(k) ~= "string" then
      error(ctor .. ": options are named fields (label = \"...\"); this table has a list part", 2)
    end
    if rawget(self, k) ~= nil then
      error(ctor .. ": '" .. k .. "' is given twice", 2)
    end
    rawset(self, k, v)
  end
  return self
end

-- A node that may be followed by a table of options.
local function with_options(t, kind)
  return setmetatable(node(t, kind), { __call = add_options, __metatable = false })
end

-- Copies the list part and the named fields of a user's table into a node.
local function from_table(ctor, kind, body, extra)
  need_table(ctor, "a table { ... }", body)
  local t = extra or {}
  for k, v in pairs(body) do
    if t[k] ~= nil then error(ctor .. ": '" .. tostring(k) .. "' is given twice", 3) end
    t[k] = v
  end
  return node(t, kind)
end

-- ------------------------------------------------------- declarations

-- The value `any_credential` may be written bare; in a declaration it
-- becomes its node, so the compiler sees one shape.
local normalize

local function normalize_value(v, seen)
  if v == any_credential then return _sandbox.stamp({ _t = "any_credential" }) end
  if type(v) == "table" then normalize(v, seen) end
  return v
end

normalize = function(t, seen)
  if seen[t] then return end
  seen[t] = true
  for k, v in pairs(t) do
    local nv = normalize_value(v, seen)
    if nv ~= v then rawset(t, k, nv) end
  end
end

local function declare_rule(kind, t)
  normalize(t, {})
  return declare(kind, t)
end

-- kind "id" { body }: the id, then the body table.
local function named(kind)
  return function(id)
    need_string(kind, "an id in quotes, as in " .. kind .. " \"ID\" { ... }", id)
    return function(body, ...)
      takes(kind, 2, select("#", ...) + 1, body, ...)
      need_table(kind, "a table after " .. kind .. " \"" .. id .. "\"", body)
      local t = from_table(kind, kind, body, { id = id })
      return declare_rule(kind, t)
    end
  end
end

-- pack "id" { authority = ..., version = ..., cite = ... }
pack = named("pack")

-- stack "CREDENTIAL-ID" { requires = ..., window = ..., award = ... }
stack = named("stack")

-- equivalence "id" { from = ..., to = ..., when = coverage "80%" }
equivalence = named("equivalence")

-- recognize "id" { into = ..., from = ..., credentials = ..., requires = ..., verified = true }
recognize = named("recognize")

-- deny "id" { into = ..., from = ..., credentials = ..., reason = ... }
deny = named("deny")

-- counts_as { from = "A", to = "B", within = ..., issued_between = ... }
function counts_as(body)
  need_table("counts_as", "a table { from = \"A\", to = \"B\" }", body)
  return declare_rule("counts_as", from_table("counts_as", "counts_as", body))
end

-- equivalent { "A", "B", ... }: each counts as the others, everywhere.
function equivalent(body)
  need_table("equivalent", "a table of credential ids { \"A\", \"B\" }", body)
  return declare_rule("equivalent", from_table("equivalent", "equivalent", body))
end

-- renews "X" { "Y", "Z" }: earning X renews valid Y and Z.
function renews(renewer)
  need_string("renews", "the renewing credential's id, as in renews \"X\" { \"Y\" }", renewer)
  return function(body, ...)
    takes("renews", 2, select("#", ...) + 1, body, ...)
    need_table("renews", "a table of the credential ids it renews", body)
    return declare_rule("renews", from_table("renews", "renews", body, { renewer = renewer }))
  end
end

-- ------------------------------------------------------------ requirements

-- Slots: credential "ID", matching "re", tagged "t", competency "id", each
-- optionally followed by { label = ..., min_grade = ..., min_results = ...,
-- verified = true }.
function credential(id)
  need_string("credential", "a credential id in quotes", id)
  return with_options({ id = id }, "credential")
end

function matching(pattern)
  need_string("matching", "a regular expression in quotes", pattern)
  return with_options({ pattern = pattern }, "matching")
end

function tagged(tag)
  need_string("tagged", "a tag in quotes", tag)
  return with_options({ tag = tag }, "tagged")
end

function competency(id)
  need_string("competency", "a competency id in quotes", id)
  return with_options({ id = id }, "competency")
end

-- hours(n, selector) { label = ..., verified = true }: the selector is required.
function hours(n, selector)
  need_number("hours", "a number of hours", n)
  if selector == nil then
    fail("hours", "expected a selector after the number, such as hours(" .. tostring(n)
      .. ", tagged \"ev\") or hours(" .. tostring(n) .. ", any_credential)")
  end
  if selector == any_credential then selector = node({}, "any_credential") end
  return with_options({ n = n, selector = selector }, "hours")
end

-- sum(attr, n) { group_by = attr2, verified = true }; sum(attr, n, selector):
-- only the selected awards add to the total.
function sum(attr, n, selector)
  need_string("sum", "a credential attribute name in quotes", attr)
  need_number("sum", "the total needed", n)
  if selector == any_credential then selector = node({}, "any_credential") end
  return with_options({ attr = attr, n = n, selector = selector }, "sum")
end

function all(parts)
  return from_table("all", "all", parts)
end

-- `any { ... }` is also how a table of alternatives is written.
function any(parts)
  return from_table("any", "any", parts)
end

function at_least(n)
  if math.type(n) ~= "integer" or n < 0 then
    fail("at_least", "expected a whole number, as in at_least(2) { ... }, got " .. describe(n))
  end
  return function(parts, ...)
    takes("at_least", 2, select("#", ...) + 1, parts, ...)
    need_table("at_least", "a table of requirements after at_least(" .. n .. ")", parts)
    return from_table("at_least", "at_least", parts, { n = n })
  end
end

local ops = { ["="] = true, ["~="] = true, ["<"] = true, ["<="] = true, [">"] = true, [">="] = true }

function holder_attr(key, op, value)
  need_string("holder_attr", "an attribute name in quotes", key)
  if not ops[op] then
    fail("holder_attr", "expected one of =, ~=, <, <=, >, >= as the operator, got " .. describe(op))
  end
  if type(value) ~= "string" and type(value) ~= "number" then
    fail("holder_attr", "expected a string or a number to compare with, got " .. describe(value))
  end
  return with_options({ key = key, op = op, value = value }, "holder_attr")
end

function check(fn)
  if type(fn) ~= "function" then
    fail("check", "expected a function(ctx) ... end, got " .. describe(fn))
  end
  return with_options({ fn = fn }, "check")
end

-- ------------------------------------------------------------- selectors

function from_provider(id)
  need_string("from_provider", "a provider id in quotes", id)
  return node({ id = id }, "from_provider")
end

function type_is(type_name)
  need_string("type_is", "a credential type in quotes", type_name)
  return node({ type = type_name }, "type_is")
end

-- any_credential is a value; any_credential() gives the same node.
function any_credential()
  return node({}, "any_credential")
end

function any_of(parts)
  return from_table("any_of", "any_of", parts)
end

function all_of(parts)
  return from_table("all_of", "all_of", parts)
end

-- issued_between { "2019-11-01", "2022-10-31" } or { from = ..., to = ... }
function issued_between(range)
  need_table("issued_between", "a table { \"FROM\", \"TO\" } of two dates", range)
  return from_table("issued_between", "issued_between", range)
end

-- member_of "G" or member_of "G" { status = "full" }
function member_of(group)
  need_string("member_of", "a group id in quotes", group)
  return with_options({ group = group }, "member_of")
end

-- coverage "80%" (exact, in integers) or coverage(0.8)
function coverage(amount)
  if type(amount) == "string" then
    local digits = amount:match("^(%d+)%%$")
    local percent = digits and tonumber(digits)
    if not percent or percent > 100 then
      fail("coverage", "expected a percentage such as \"80%\", got " .. describe(amount))
    end
    return node({ percent = percent }, "coverage")
  end
  if type(amount) ~= "number" or amount ~= amount or amount < 0 or amount > 1 then
    fail("coverage", "expected a percentage such as \"80%\" or a ratio from 0 to 1, got "
      .. describe(amount))
  end
  return node({ ratio = amount + 0.0 }, "coverage")
end

-- cite "text": for rules that build their options in steps.
function cite(text)
  need_string("cite", "a citation in quotes", text)
  return text
end

-- ------------------------------------------------------------ signatures

-- Every constructor checks its count of arguments against its signature
-- before it runs (a tail call: its own errors still name the pack line).
for ctor in pairs(signatures) do
  local make = _ENV[ctor]
  _ENV[ctor] = function(...)
    takes(ctor, 1, select("#", ...), ...)
    return make(...)
  end
end
