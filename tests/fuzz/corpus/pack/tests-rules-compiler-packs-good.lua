-- A pack that uses every kind of rule correctly.
pack "compiler-good" { authority = "credex tests", version = "1" }

stack "CA-EV-TECH" {
  jurisdiction = "US-CA",
  requires = all {
    "CA-EVS-101",
    hours(100, tagged "ev") { label = "shop hours" },
  },
  window = { span = "P5Y" },
}

counts_as { from = "TX-EVS-101", to = "CA-EVS-101", within = "US-CA" }

recognize "evc-members" {
  into = member_of "EVC",
  from = member_of "EVC",
  credentials = tagged "ev",
}
