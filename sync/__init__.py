"""The change-log engine: canonical encoding, hybrid logical clock, Ed25519 keys, the
replica stores that record every write with its change, segments, the hub's ingest and
the node's pull-apply. No UI and no business rules: it names no table or column of the
domain, and asks each table's policy (shared/policies.py) where the business decides."""
