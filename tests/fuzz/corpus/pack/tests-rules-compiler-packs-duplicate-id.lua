pack "duplicate-id" { authority = "credex tests", version = "1" }

recognize "evc" { into = member_of "EVC" }
recognize "evc" { into = "US-CA" }
