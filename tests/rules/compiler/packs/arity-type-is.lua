pack "arity-type-is" { authority = "credex tests", version = "1" }

-- type_is with one argument too many
deny "d" { credentials = type_is("course", "certificate") }
