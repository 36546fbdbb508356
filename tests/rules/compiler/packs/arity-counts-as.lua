pack "arity-counts-as" { authority = "credex tests", version = "1" }

-- counts_as with one argument too many
counts_as({ from = "TX-EVS-101", to = "CA-EVS-101" }, "US-CA")
