-- A mistake a policy writer makes: a threshold over 100%.
equivalence "too-strict" {
  from = matching "^TX-",
  to   = matching "^CA-",
  when = coverage "180%",
}
