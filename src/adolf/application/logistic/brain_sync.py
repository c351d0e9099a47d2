"""``logistic.sync_brain_stocks`` (06:30, after 1C's extractor lands ``brain_stock_balance`` at
06:00; seed 003 §8.4.4, SPEC §3): the internal warehouse's stock from the 1C extract.

The rows as 1C wrote them (text: junk possible) go through the domain's classification
(``brain_import``) against our articles' 1C codes and the last applied quantities:
- validated quantities are applied (``logistic_warehouse_stock``) and recorded in the history;
- anomalies (negative, a jump beyond the policy's factor, beyond ``max_quantity``) are kept
  aside in the history with their reason, the current quantity untouched;
- codes unknown to us are noted (``logistic_unmapped_codes``) for a person to map;
- junk rows and duplicated codes are counted, never applied.
All in one transaction, a constant number of statements. ``DATA_STALE`` is not raised here:
``check_brain_freshness`` (08:00) watches the loads.

An article we know with stock on hand that the extract leaves out is read as 0 (choice: 1C's
balance report omits zero balances, so a sold-out article disappears from it; keeping its last
quantity would allocate goods that are gone). It goes through the same classification as a
row saying 0, so a sudden drop to nothing is an anomaly kept aside, not applied. An empty
extract (no rows at all: a failed load) applies nothing.
"""

from __future__ import annotations

from typing import Any

from adolf.application.logistic.ports import LogisticServices
from adolf.domain.logistic.brain_import import BrainRow, classify

ABSENT_LINE = 0  # the line of the row read for an article the extract leaves out


def sync_brain_stocks(services: LogisticServices) -> dict[str, Any]:
    now = services.clock.now()
    policy = services.supply_policy
    with services.uow() as uow:
        lines = uow.logistic_brain.stock_balance()
        if not lines:
            return {"status": "empty", "rows": 0, "validated": 0, "anomalies": 0, "unmapped": 0, "invalid": 0}
        known = uow.logistic_articles.ids_by_code()
        recent = uow.logistic_warehouse.quantities()
        rows = [BrainRow(line.code, line.quantity, line.line) for line in lines]
        present = {line.code.strip() for line in lines}
        codes = {article_id: code for code, article_id in known.items()}
        absent = [
            BrainRow(codes[article_id], "0", ABSENT_LINE)
            for article_id, quantity in sorted(recent.items())
            if quantity > 0 and article_id in codes and codes[article_id] not in present
        ]
        result = classify([*rows, *absent], known, recent, policy)
        uow.logistic_warehouse.apply(result.validated, result.anomalies, now)
        names = {line.code.strip(): line.name for line in lines}
        noted = uow.logistic_warehouse.note_unmapped({code: names.get(code) for code in result.unmapped}, now)
        uow.commit()
    return {
        "status": "success",
        "rows": len(lines),
        "validated": len(result.validated),
        "anomalies": len(result.anomalies),
        "unmapped": noted,
        "invalid": len(result.invalid),
        "duplicates": len(result.duplicates),
        "absent_read_as_zero": len(absent),
    }
