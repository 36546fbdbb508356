pack "arity-from-provider" { authority = "credex tests", version = "1" }

-- from_provider with one argument too many
deny "d" { credentials = from_provider("austin-cc", "US-TX") }
