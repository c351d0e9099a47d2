"""Watcher's pure rules: competitor price monitoring (SPEC §3 Watcher, §4.2, §4.3).

One idea per module:

- ``catalog``          our products, competitors, their products, subscriptions;
- ``observations``     a competitor product's price as an agent observed it;
- ``priority``         the seed's monitoring-priority score (SPEC §4.3);
- ``alerts``           alert kinds and the stored alert row;
- ``alert_rules``      the configurable thresholds and severities of the conditions;
- ``alert_conditions`` which alerts a new observation raises (SPEC §4.2);
- ``tasks``            a parsing task and its lifecycle (claim, complete, fail, release, regenerate);
- ``agents``           a parsing agent, its liveness and status transitions.

Nothing here reads the clock: every "now" is an argument.
"""
