pack "arity-deny" { authority = "credex tests", version = "1" }

-- deny with one argument too many
deny("d", true) { credentials = tagged "ev" }
