pack "bad-regex" { authority = "credex tests", version = "1" }

recognize "tx-modules" {
  credentials = matching "^(TX-EV",
}
