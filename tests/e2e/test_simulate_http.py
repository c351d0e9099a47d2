"""`adolf simulate --marketplace http`: the same day through the real clients and the wire-level
fake gives the report of `--marketplace simulated`, apart from the fields named here.

The fields that legitimately differ, and why:

- ``api_calls``: what was counted (the simulated adapters' calls per marketplace; the requests
  the fake answered per API host) — API-call counts, as is
  ``reputation.marketplace.outage_refusals`` (each of the client's attempts in Ozon's planned
  outage is a request the fake refuses; the simulated port refuses one call per poll).
- ``marketplace``: which one the run went against.
- the planted publish that fails twice: the client retries a 5xx within one call, so over HTTP
  it is one attempt (``reputation.publishing.planted[].attempts``), published at that first
  try's minute (``…planted[].published_at``, and with it ``reputation.answers.average_minutes``),
  and no answer went through "after a retry" of ours (``…publishing.sent_more_than_once``).

Everything else is equal — YM's campaign pauses too: YM pauses a sales boost in the seller's
cabinet only, and the simulated YM refuses ``pause_campaign`` as its client does.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Run

WORLD = ("--days", "1", "--campaigns", "6", "--keywords", "5", "--articles", "5", "--json")
API_HOSTS = ("wb_advert", "wb_feedbacks", "ozon_seller", "ozon_performance", "ym")


def _report(adolf: Run, tmp_path: Path, marketplace: str) -> dict[str, Any]:
    database = f"sqlite:///{tmp_path / f'{marketplace}.sqlite3'}"
    result = adolf("simulate", *WORLD, "--marketplace", marketplace, "--database", database, timeout=240)
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _without_named(report: dict[str, Any]) -> dict[str, Any]:
    """The report without the fields that legitimately differ (module doc)."""
    found = copy.deepcopy(report)
    for key in ("api_calls", "marketplace"):
        found.pop(key)
    reputation = found["reputation"]
    reputation["marketplace"].pop("outage_refusals")
    reputation["answers"].pop("average_minutes")
    reputation["publishing"].pop("sent_more_than_once")
    for planted in reputation["publishing"]["planted"]:
        planted.pop("attempts")
        planted.pop("published_at")
    return found


@pytest.mark.slow
@pytest.mark.timeout(600, func_only=True)
def test_the_http_run_reports_what_the_simulated_run_does(adolf: Run, tmp_path: Path) -> None:
    simulated = _report(adolf, tmp_path, "simulated")
    http = _report(adolf, tmp_path, "http")

    assert (simulated["marketplace"], http["marketplace"]) == ("simulated", "http")
    # it went over the wire: every API host the modules use answered requests
    assert set(http["api_calls"]) == set(API_HOSTS)
    assert all(http["api_calls"][host] > 0 for host in API_HOSTS), http["api_calls"]
    assert http["dead_letters"] == simulated["dead_letters"] == 0
    # the planted publish went through in one call of the client's, its retries inside it
    planted = http["reputation"]["publishing"]["planted"]
    assert planted and all(p["status"] == "published" and p["attempts"] == 1 for p in planted), planted

    assert _without_named(http) == _without_named(simulated)


def test_http_with_a_worker_backend_is_refused(adolf: Run) -> None:
    for backend in ("celery", "rq"):
        result = adolf("simulate", "--marketplace", "http", "--backend", backend, "--days", "1", check=False)
        assert result.returncode == 2
        assert "--marketplace http runs with --backend inline only" in result.stderr


def test_an_unknown_marketplace_is_refused(adolf: Run) -> None:
    result = adolf("simulate", "--marketplace", "ftp", "--days", "1", check=False)
    assert result.returncode == 2
    assert "--marketplace='ftp' must be simulated or http" in result.stderr
