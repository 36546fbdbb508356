-- tx-ev-renewal.lua -- Texas keeps its EV safety module current through a
-- short refresher: earning TX-EVS-R while TX-EVS-101 is still valid extends
-- TX-EVS-101 to the refresher's expiry. An expired module is not renewed:
-- it has to be taken again. Illustrative, modelled on continuing-education
-- renewal in the THECB Workforce Education Course Manual.

pack "tx-ev-renewal" {
  authority = "Texas Higher Education Coordinating Board, Workforce Education (illustrative)",
  version   = "2024.1",
  cite      = "WECM continuing-education renewal guidance, EV safety (illustrative)",
}

renews "TX-EVS-R" { "TX-EVS-101" }
