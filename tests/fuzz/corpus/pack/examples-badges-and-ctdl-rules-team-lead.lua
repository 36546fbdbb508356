-- team-lead.lua -- Lakeshore College's Health Informatics Team Lead
-- (HI-TEAM-LEAD): the Health Informatics certification the Credential
-- Registry publishes, plus one employer badge whose signature credex has
-- checked. Illustrative: the college, the stack and its citation are not
-- real; the certification and the badges are the real sample files of
-- ctdl/ and badges/.

pack "lakeshore-team-lead" {
  authority = "Lakeshore College, Health Information Technology",
  version   = "2026.1",
  cite      = "Lakeshore College Catalog 2026-27, Health Informatics Team Lead",
}

stack "HI-TEAM-LEAD" {
  name         = "Health Informatics Team Lead",
  jurisdiction = "US-MI",
  requires = all {
    credential "ce-28e50037-d306-4f1e-aa9d-22a0e716b7a7" { label = "certification" },
    any {
      label = "a verified badge",
      -- Teamwork Badge (Example Corp, Open Badges 3.0)
      credential "x-62a61aa4d8ed5f4142aa" { label = "teamwork badge", verified = true },
      -- Awesome Robotics Badge (An Example Badge Issuer, Open Badges 2.0)
      credential "x-c512e7ec22cc8c17c665" { label = "robotics badge", verified = true },
    },
  },
}
