pack "arity-recognize" { authority = "credex tests", version = "1" }

-- recognize with one argument too many
recognize("r", "US-CA") { credentials = tagged "ev" }
