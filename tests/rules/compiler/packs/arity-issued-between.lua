pack "arity-issued-between" { authority = "credex tests", version = "1" }

-- issued_between with one argument too many
deny "d" { credentials = all_of { tagged "ev", issued_between({ "2020-01-01", "2021-01-01" }, "2022-01-01") } }
