"""Watcher use cases: competitor price monitoring with a fleet of parsing agents (SPEC §3)."""
