pack "arity-all-of" { authority = "credex tests", version = "1" }

-- all_of with one argument too many
deny "d" { credentials = all_of({ tagged "ev" }, type_is "course") }
