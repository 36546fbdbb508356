pack "arity-check" { authority = "credex tests", version = "1" }

-- check with one argument too many
stack "CA-EV-TECH" { requires = check(function(ctx) return true end, "why") }
