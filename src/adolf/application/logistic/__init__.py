"""Logistic use cases: Ozon FBO stock per cluster, the 1C warehouse extract, deficits and supply tasks (SPEC §3)."""
