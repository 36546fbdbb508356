-- drafted by `credex draft` from ra-certification-detailed.json
-- Review every REVIEW and MANUAL comment before use.

pack "draft" {
  authority = "ce-a588a18b-2616-4c74-bdcd-6507c0693d0e",
  version = "draft",
}

stack "ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec" {
  name = "My Certification Name",
  requires = all {
    -- To earn this credential the following conditions must be met, and the target learning opportunity must be completed.
    -- MANUAL: Complete High School
    -- MANUAL: Have a drivers licence.
    -- MANUAL: a target not among the inputs: https://sandbox.credentialengineregistry.org/resources/ce-ccd00a32-d5ad-41e7-b14c-5c096bc9eea0
    all {
      credential "ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec+a895a294-23e8-46fd-a5cb-8c5dcde27899",
    },
  },
}
