-- Valid alone; loaded with good.lua it defines the rule id evc-members twice.
pack "also-evc-members" { authority = "credex tests", version = "1" }

recognize "evc-members" { into = "US-CA", credentials = "TX-EVS-101" }
