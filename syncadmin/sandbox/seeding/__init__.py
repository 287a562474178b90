"""Scenario seeding for the sandbox, with the ground truth of which records are the same
real customer (issue item 6)."""
