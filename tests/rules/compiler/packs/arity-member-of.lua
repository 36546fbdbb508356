pack "arity-member-of" { authority = "credex tests", version = "1" }

-- member_of with one argument too many
recognize "r" { into = member_of("EVC", "full") }
