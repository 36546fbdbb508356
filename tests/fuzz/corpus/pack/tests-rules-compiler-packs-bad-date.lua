pack "bad-date" { authority = "credex tests", version = "1" }

counts_as {
  from = "TX-EVS-101",
  to = "CA-EVS-101",
  effective = { from = "2025-02-30" },
}
