"""Benchmark: do the target strategies reach their targets? Seeds × a simulated week.

    .venv/bin/python bench/attainment.py [--seeds 1-5] [--days 7] [--campaigns 50] [--jobs 2]

For each seed: ``adolf simulate`` inline (SQLite), then the same seed with every campaign on
``manual`` (the baseline, same campaigns, same market). Prints per seed and in all:

- target_drr / target_cpo campaigns within ±10 % of target over days 3…N, all and those not
  bound by a constraint (goal: ≥ 90 % of the unbound ones);
- whether each campaign reported bound really is at its constraint: the share of its active
  keywords' spend (last judged day) whose bid sits at that bound (at_max_bid: within one step
  of max_bid; at_min_bid: of the keyword's floor; at_leader: above every competitor bid;
  position_gap: off target by more than the band, with the next position up or down off the
  other way);
- orders per 1000 ₽ of the target campaigns against the same campaigns on manual.

Not a test: the goals are read off the output. Each run takes 2–4 minutes of one core.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

STEP = {"wb": Decimal(1), "ozon": Decimal(1), "ym": Decimal("0.1")}


def _run(seed: int, days: int, campaigns: int, manual: bool, folder: str) -> dict[str, Any]:
    from adolf.adapters.observability.logging import configure_logging
    from adolf.domain.marketing.bid_context import StrategyType
    from adolf.entrypoints.simulation import run, setup

    configure_logging("json", "WARNING", [], stream=open(os.devnull, "w"))  # noqa: SIM115 — the jobs' log lines are not the point
    database = Path(folder) / f"seed{seed}{'-manual' if manual else ''}.sqlite3"
    configured = setup.STRATEGIES
    if manual:
        setup.STRATEGIES = (StrategyType.MANUAL,)  # same campaigns, same targets drawn, all on manual
    options = run.SimulationOptions(days=days, campaigns=campaigns, seed=seed, database_url=f"sqlite:///{database}")
    try:
        report = run.run_inline(options)
    finally:
        setup.STRATEGIES = configured
    report["bound_check"] = [] if manual else _bound_check(database, report)
    report["per_campaign"] = _per_campaign(database, report["attainment"]["judged"]["start"])
    return report


def _per_campaign(database: Path, since: str) -> dict[str, dict[str, Any]]:
    """Spend and orders per campaign id over the judged days (both runs seed campaigns in
    the same order, so an id names the same campaign in both)."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT c.id, SUM(d.spent), SUM(d.orders), SUM(d.revenue) "
            "FROM campaigns c JOIN daily_stats d ON d.campaign_id = c.id WHERE d.day >= ? GROUP BY c.id",
            (since,),
        ).fetchall()
    return {
        str(k): {"spent": Decimal(str(s or 0)), "orders": o or 0, "revenue": Decimal(str(r or 0))}
        for k, s, o, r in rows
    }


def _bound_check(database: Path, report: dict[str, Any]) -> list[dict[str, Any]]:
    end = report["attainment"]["judged"]["end"]
    found = []
    with sqlite3.connect(database) as db:
        for row in report["attainment"]["campaigns"]:
            constraint = row["constraint"]
            if constraint == "position_gap":
                found.append(_gap_check(db, report, row))
                continue
            if constraint not in ("at_max_bid", "at_min_bid", "at_leader"):
                continue
            (min_bid, max_bid) = db.execute(
                "SELECT min_bid, max_bid FROM campaigns WHERE id = ?", (row["campaign_id"],)
            ).fetchone()
            keywords = db.execute(
                "SELECT k.bid, k.marketplace_min_bid, COALESCE(d.spent, 0), c.bids FROM keywords k "
                "LEFT JOIN keyword_daily_stats d ON d.keyword_id = k.id AND d.day = ? "
                "LEFT JOIN competitor_bids c ON c.keyword_external_id = k.external_id AND c.marketplace = ? "
                "WHERE k.campaign_id = ? AND k.status = 'active'",
                (end, row["marketplace"], row["campaign_id"]),
            ).fetchall()
            step = STEP[row["marketplace"]]
            at = total = Decimal(0)
            for bid, market_min, spent, rivals in keywords:
                bid, spent = Decimal(str(bid)), Decimal(str(spent))
                floor = Decimal(str(min_bid))
                if market_min is not None and Decimal(str(market_min)) <= Decimal(str(max_bid)):
                    floor = max(floor, Decimal(str(market_min)))
                weight = spent or Decimal(1) / 1000
                total += weight
                if constraint == "at_max_bid":
                    bound = Decimal(str(max_bid)) - bid < step
                elif constraint == "at_min_bid":
                    bound = bid - floor < step
                else:  # at_leader: above every competitor bid, i.e. at the top position
                    bound = bool(rivals) and all(bid > Decimal(r) for r in json.loads(rivals))
                at += weight if bound else 0
            found.append(
                {"campaign": row["name"], "constraint": constraint, "share_at_bound": at / total if total else 0}
            )
    return found


def _gap_check(db: sqlite3.Connection, report: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """A campaign bound by the auction's steps: the share of its keywords' judged spend whose
    ratio is off target by more than the band (±5 %) and would be off the other way, or
    further, one position up (under target) or down (over target) — the ratio scaled by
    the price of that position over the bid paid."""
    start, target, drr = (
        report["attainment"]["judged"]["start"],
        Decimal(str(row["target"])),
        row["strategy"] == "target_drr",
    )
    unit = Decimal(1) if row["marketplace"] == "wb" else Decimal("0.01")
    (floor,) = db.execute("SELECT min_bid FROM campaigns WHERE id = ?", (row["campaign_id"],)).fetchone()
    keywords = db.execute(
        "SELECT k.bid, SUM(d.spent), SUM(d.orders), SUM(d.revenue), c.bids FROM keywords k "
        "JOIN keyword_daily_stats d ON d.keyword_id = k.id AND d.day >= ? "
        "LEFT JOIN competitor_bids c ON c.keyword_external_id = k.external_id AND c.marketplace = ? "
        "WHERE k.campaign_id = ? AND k.status = 'active' GROUP BY k.id",
        (start, row["marketplace"], row["campaign_id"]),
    ).fetchall()
    at = total = Decimal(0)
    band = Decimal("0.05")
    for bid, spent, orders, revenue, rivals in keywords:
        bid, spent, revenue = Decimal(str(bid)), Decimal(str(spent or 0)), Decimal(str(revenue or 0))
        units = revenue / 100 if drr else Decimal(orders or 0)
        if not spent or not units or not rivals or not bid:
            continue
        total += spent
        ratio = spent / units
        prices = sorted({Decimal(str(floor)), *(Decimal(r) + unit for r in json.loads(rivals))})
        if ratio < target * (1 - band):
            above = [p for p in prices if p > bid]
            bound = not above or ratio * above[0] / bid > target * (1 + band)
        elif ratio > target * (1 + band):
            current = max((p for p in prices if p <= bid), default=bid)
            below = [p for p in prices if p < current]
            bound = not below or ratio * below[-1] / bid < target * (1 - band)
        else:
            bound = False
        at += spent if bound else 0
    return {"campaign": row["name"], "constraint": "position_gap", "share_at_bound": at / total if total else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="1-5")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write every report here")
    args = parser.parse_args()
    low, _, high = args.seeds.partition("-")
    seeds = list(range(int(low), int(high or low) + 1))
    from adolf.entrypoints.cli import progress  # a bar on a terminal's stderr; stdout keeps the figures

    print(f"load before: {os.getloadavg()}")
    with (
        tempfile.TemporaryDirectory() as folder,
        ProcessPoolExecutor(args.jobs) as pool,
        progress.bar(measuring=True) as bar,
    ):
        futures = {
            (seed, manual): pool.submit(_run, seed, args.days, args.campaigns, manual, folder)
            for seed in seeds
            for manual in (False, True)
        }
        job = bar.add_task("simulations (seed × with/without targets)", total=len(futures))
        for _ in as_completed(futures.values()):
            bar.update(job, advance=1, refresh=True)
        reports = {key: future.result() for key, future in futures.items()}
    print(f"load after: {os.getloadavg()}")
    totals = {"unbound": 0, "unbound_within": 0, "bound": 0, "checked": 0, "at_bound": 0}
    target_spent, target_orders, manual_spent, manual_orders = Decimal(0), 0, Decimal(0), 0
    for seed in seeds:
        report, baseline = reports[(seed, False)], reports[(seed, True)]
        attainment = report["attainment"]
        print(f"\n== seed {seed} (judged {attainment['judged']['start']} … {attainment['judged']['end']})")
        print(f"{'campaign':<36} {'mp':<5} {'strategy':<11} {'target':>8} {'achieved':>9} ±10%  constraint")
        for row in attainment["campaigns"]:
            print(
                f"{row['name'][:36]:<36} {row['marketplace']:<5} {row['strategy']:<11} {row['target']:>8} "
                f"{row['achieved'] or '—':>9} {'yes' if row['within'] else 'no ':<4} "
                f"{row['constraint']}{'' if row['bound'] else ' (free)'}"
            )
        for line in (s["line"] for s in attainment["summary"].values()):
            print(line)
        for s in attainment["summary"].values():
            totals["unbound"] += s["unbound"]
            totals["unbound_within"] += s["unbound_within"]
            totals["bound"] += s["campaigns"] - s["unbound"]
        for check in report["bound_check"]:
            totals["checked"] += 1
            totals["at_bound"] += check["share_at_bound"] >= Decimal("0.5")
            print(
                f"  bound check: {check['campaign'][:36]:<36} {check['constraint']:<11} "
                f"{float(check['share_at_bound']):.0%} of its spend at the bound"
            )
        ours = report["per_campaign"]
        keys = [str(r["campaign_id"]) for r in attainment["campaigns"]]
        s_t = sum((ours[k]["spent"] for k in keys if k in ours), Decimal(0))
        o_t = sum(ours[k]["orders"] for k in keys if k in ours)
        s_m = sum((baseline["per_campaign"][k]["spent"] for k in keys if k in baseline["per_campaign"]), Decimal(0))
        o_m = sum(baseline["per_campaign"][k]["orders"] for k in keys if k in baseline["per_campaign"])
        target_spent, target_orders, manual_spent, manual_orders = (
            target_spent + s_t,
            target_orders + o_t,
            manual_spent + s_m,
            manual_orders + o_m,
        )
        print(
            f"  target campaigns: {_per_thousand(o_t, s_t)} orders per 1000 ₽ ({o_t} orders); "
            f"the same campaigns on manual: {_per_thousand(o_m, s_m)} ({o_m} orders)"
        )
    print("\n== all seeds")
    share = totals["unbound_within"] / totals["unbound"] if totals["unbound"] else 0
    print(
        f"unbound target campaigns within ±10 %: {totals['unbound_within']}/{totals['unbound']} ({share:.0%}); "
        f"bound: {totals['bound']}"
    )
    print(
        f"bound at max/min bid or the leader with ≥ 50 % of their spend at that bound: {totals['at_bound']}/{totals['checked']}"
    )
    print(
        f"orders per 1000 ₽, target campaigns: {_per_thousand(target_orders, target_spent)}; "
        f"same campaigns on manual: {_per_thousand(manual_orders, manual_spent)}"
    )
    if args.json:
        args.json.write_text(
            json.dumps({f"{s}{'-manual' if m else ''}": r for (s, m), r in reports.items()}, default=str, indent=1)
        )


def _per_thousand(orders: int, spent: Decimal) -> str:
    return f"{Decimal(orders) * 1000 / spent:.2f}" if spent else "—"


if __name__ == "__main__":
    main()
