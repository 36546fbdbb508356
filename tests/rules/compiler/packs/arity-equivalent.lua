pack "arity-equivalent" { authority = "credex tests", version = "1" }

-- equivalent with one argument too many
equivalent({ "TX-EVS-101", "CA-EVS-101" }, { "CA-EVB-201" })
