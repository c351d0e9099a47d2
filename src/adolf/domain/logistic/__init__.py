"""Logistic: Ozon FBO stock per cluster, the 1C warehouse, supply tasks and stock alerts (seed 003; SPEC §3, §4.4).

One idea per module:

- ``articles`` — our articles (1C code, Ozon SKU) and Ozon clusters;
- ``stock`` — an FBO stock snapshot per article × cluster and days of cover;
- ``policy`` — the configurable thresholds (documented defaults, ``from_mapping``);
- ``deficit`` — target stock, deficit (SPEC §4.4), priority, the needs of a day;
- ``allocation`` — scarce warehouse stock shared urgent-first, coverage;
- ``brain_import`` — classifying a 1C ``brain_stock_balance`` extract;
- ``freshness`` — which ``brain_*`` tables are stale;
- ``alerts`` — stock alert kinds, severities, open/resolve decisions, dedupe keys;
- ``supply_tasks`` — a supply task and its status machine.
"""
