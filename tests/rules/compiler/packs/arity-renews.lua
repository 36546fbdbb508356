pack "arity-renews" { authority = "credex tests", version = "1" }

-- renews with one argument too many
renews("CA-EVB-201", "CA-EVS-101") { "CA-EVS-101" }
