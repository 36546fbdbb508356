pack "arity-any-of" { authority = "credex tests", version = "1" }

-- any_of with one argument too many
deny "d" { credentials = any_of({ tagged "ev" }, type_is "course") }
