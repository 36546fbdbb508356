-- verified is an option of recognize, not of deny.
deny "badges-from-b" { into = "US-A", credentials = "BADGE-C", verified = true }
