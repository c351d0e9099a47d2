"""The simulated fleet of parsing agents: separate "hosts" that speak Watcher's HTTP protocol
(``/watcher/agents/…``, ``/watcher/tasks/{id}/result``) with their own tokens, through
anything that posts like ``httpx.Client`` — the app in process (the ASGI transport) or a
real server.

The night shift. Watcher generates tonight's tasks at 20:30; the fleet works from 20:30:30
to 23:59:30, one tick a minute (ticks sit on the half minute, so they never coincide with a
scheduled job). In a tick an agent with work heartbeats, then takes up to
``PAGES_PER_MINUTE`` tasks, one at a time: pops one, looks at the listing (the simulated
marketplace's ``competitor_prices``: price, crossed-out price, stock) and at the search
pages assigned to it (the ads market's competitor ladder per keyword), and posts the result.
An agent with an empty queue heartbeats every ``IDLE_MINUTES`` and asks for work again after
4, 8, then every 16 minutes (tasks given back by Watcher reappear at the head of the queue). Outside the shift the fleet sleeps, and
Watcher's liveness sweep finds it offline; its first heartbeat of the evening brings it back.

Before the first simulated day the fleet works the night before through in one go
(``night_zero``): the first bid cycle (00:07) then reads competitor bids Watcher observed.

What goes wrong, once per run, so the report shows Watcher handling it:
- *silent* (a WB agent), on the last night halfway through its share of the queue (its
  ``trouble_tick``, at least the second minute), claims its tasks and then never beats nor
  reports again: its host died. Five minutes on, ``sync_agent_status``
  turns it offline and gives its tasks back to the head of the queue; the other WB agent
  finishes them;
- *panicky* (an Ozon agent), that night at the same point of its queue, meets a captcha on
  its second page and posts ``/panic``: ``handle_panic_mode`` puts it in panic, blocks its IP for
  an hour, gives its task back and tells the admins. It keeps beating but waits for a person
  to clear the captcha, so it stays in panic for the rest of the run;
- *clumsy* (a YM agent), on the first night, sends one malformed price item beside a good one
  (refused and counted, the good one kept) and a result for a task that does not exist (404,
  counted).
A listing whose page does not load that day (``competitor_prices``: about 1 % of days) is
reported as an error, with the search pages' bids all the same; Watcher puts the task back at
the tail of the queue, and at the third error it is ``failed``.
A run too small to leave the silent or panicky agent a task at that point shows no such
failure (at least 3 products per marketplace and 4 listings each make sure it does).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from adolf.adapters.marketplaces.simulated.competitor_prices import parse_listing, shelf_at
from adolf.entrypoints.simulation.watcher_setup import CLUMSY, PANICKY, SILENT, FleetMember, WatcherWorld

if TYPE_CHECKING:  # only a type here: a run without Watcher needs no httpx (`adolf[core]`)
    import httpx

MOSCOW = ZoneInfo("Europe/Moscow")
SHIFT_START = time(20, 30)
RUSH_END = time(21, 30)
TICK_OFFSET = timedelta(seconds=30)
PAGES_PER_MINUTE = 4
IDLE_MINUTES = 4  # an idle agent beats this often (Watcher's timeout is 5)
MAX_BACKOFF_MINUTES = 16  # an idle agent asks for work after 4, 8, 16, 16 … minutes
UNKNOWN_TASK = 999_999_999
FLEET = "fleet.agents"  # the fleet's minute in the run's list of events (not a catalogue task)


class Http(Protocol):
    def post(self, url: str, **kwargs: Any) -> httpx.Response: ...


class AgentRefused(RuntimeError):
    """The server answered an agent's request with a status the agent did not expect."""


def shift_ticks(start: datetime, end: datetime) -> list[datetime]:
    """The fleet's ticks in ``(start, end]``: every minute from 20:30:30 to 23:59:30 Moscow."""
    ticks = []
    day = start.astimezone(MOSCOW).date()
    while True:
        at = datetime.combine(day, SHIFT_START, MOSCOW) + TICK_OFFSET
        midnight = datetime.combine(day + timedelta(days=1), time(), MOSCOW)
        if at > end:
            return ticks
        while at < midnight and at <= end:
            if at > start:
                ticks.append(at)
            at += timedelta(minutes=1)
        day += timedelta(days=1)


def in_rush(at: datetime) -> bool:
    """The shift's first hour, when the night's queue is worked (a quarter of an hour at the
    default size)."""
    local = at.astimezone(MOSCOW).time()
    return SHIFT_START <= local < RUSH_END


@dataclass
class _Host:
    """What one agent's host remembers between ticks."""

    member: FleetMember
    status: str = "offline"
    last_beat: datetime | None = None
    working: bool = True
    next_poll: datetime | None = None
    night: date | None = None
    working_ticks: int = 0
    gone: bool = False
    done_tonight: int = 0
    backoff: int = IDLE_MINUTES


@dataclass
class FleetLedger:
    """What the fleet did, as its hosts saw it (the report's "as the agents saw it")."""

    results: Counter[str] = field(default_factory=Counter)  # agent → results accepted
    held_when_lost: dict[int, str] = field(default_factory=dict)  # task → the agent that stopped holding it
    refused_prices: int = 0
    unknown_tasks: int = 0
    bids_reported: int = 0  # keyword bid lists handed over
    errors: int = 0  # results that reported a page that did not load
    panics: list[dict[str, Any]] = field(default_factory=list)
    silent: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0


class AgentFleet:
    def __init__(
        self,
        http: Http,
        world: WatcherWorld,
        market: Any,
        first_night: date,
        last_night: date,
        wait: Callable[[str], object] = lambda job_id: None,
    ) -> None:
        self.http = http
        self.world = world
        self.market = market
        self.first_night = first_night
        self.last_night = last_night
        self.wait = wait  # until a job the server queued (the panic's) has run
        self.hosts = [_Host(member) for member in world.agents]
        self.ledger = FleetLedger()
        self.blundered = False  # the clumsy agent's malformed price and unknown task, once

    # -- the schedule --------------------------------------------------------------------

    def night_zero(self, now: datetime) -> None:
        """Work every queue empty at ``now``, round after round (the night before the run)."""
        for host in self.hosts:
            self._beat(host, now)
        busy = list(self.hosts)
        while busy:
            busy = [host for host in busy if self._work(host, now, PAGES_PER_MINUTE, trouble=False)]

    def tick(self, now: datetime) -> None:
        night = now.astimezone(MOSCOW).date()
        for host in self.hosts:
            if host.night != night:
                host.night, host.working, host.working_ticks, host.done_tonight = night, True, 0, 0
                host.backoff = IDLE_MINUTES
            if host.gone:
                continue
            if host.working or host.last_beat is None or now - host.last_beat >= timedelta(minutes=IDLE_MINUTES):
                self._beat(host, now)
            if host.status != "online" or (not host.working and host.next_poll and now < host.next_poll):
                continue
            host.working_ticks += 1
            self._work(host, now, PAGES_PER_MINUTE, trouble=night == self.last_night)

    # -- one agent -----------------------------------------------------------------------

    def _work(self, host: _Host, now: datetime, pages: int, *, trouble: bool) -> bool:
        """Up to ``pages`` tasks; whether the queue may hold more for this agent."""
        role = host.member.role
        fails_now = trouble and host.working_ticks == self.trouble_tick(host) and role in (SILENT, PANICKY)
        clumsy = role == CLUMSY and host.night == self.first_night
        held = []
        for page in range(pages):
            offer = self._next(host)
            if offer is None:
                host.working, host.next_poll = False, now + timedelta(minutes=host.backoff)
                host.backoff = min(2 * host.backoff, MAX_BACKOFF_MINUTES)
                break
            host.working, host.backoff = True, IDLE_MINUTES
            if fails_now and role == SILENT:
                held.append(offer["task_id"])
                continue
            if fails_now and role == PANICKY and page == 1:
                self._panic(host, offer, now)
                host.working = False
                return False
            body = self.observe(offer, now)
            blunder = clumsy and not self.blundered and "prices" in body  # its first page that loaded
            if blunder:
                body["prices"].append({"price": "12.345", "in_stock": True})  # three decimal places
            self._result(host, offer["task_id"], body)
            if blunder:
                self._unknown_task(host, body)
                self.blundered = True
        if held:
            host.gone = True
            self.ledger.held_when_lost.update(dict.fromkeys(held, host.member.id))
            self.ledger.silent.append({"agent": host.member.id, "held": len(held), "at": now.isoformat()})
            return False
        return host.working

    def trouble_tick(self, host: _Host) -> int:
        """Halfway through the agent's share of its marketplace's night (two agents each)."""
        share = self.world.nightly.get(host.member.marketplace, 0) // (2 * PAGES_PER_MINUTE)
        return max(2, share // 2)

    def observe(self, offer: dict[str, Any], now: datetime) -> dict[str, Any]:
        """What the agent reads off the listing's page and its search pages."""
        external_id = offer["external_id"]
        parsed = parse_listing(external_id)
        if parsed is None:
            return {"error": f"listing {external_id} not found on the marketplace"}
        shelf = shelf_at(self.world.seed, parsed[2], now)
        body: dict[str, Any] = {"error": f"the page of listing {external_id} did not load (HTTP 404)"}
        if shelf.loads:
            body = {"prices": [self._item(shelf, now)]}
        pages = self.world.search_pages.get(external_id, ())
        if pages:  # the search pages load whatever became of the listing's page
            body["competitor_bids"] = {kid: [str(bid) for bid in self.market.competitor_bids(kid)] for kid in pages}
        return body

    @staticmethod
    def _item(shelf: Any, now: datetime) -> dict[str, Any]:
        item: dict[str, Any] = {
            "price": None if shelf.price is None else str(shelf.price),
            "in_stock": shelf.in_stock,
            "observed_at": now.isoformat(),
        }
        if shelf.old_price is not None:
            item["old_price"] = str(shelf.old_price)
        return item

    # -- the protocol --------------------------------------------------------------------

    def _beat(self, host: _Host, now: datetime) -> None:
        metrics = {"tasks_done_tonight": host.done_tonight, "pages_per_minute": PAGES_PER_MINUTE}
        reply = self._post(host, f"/watcher/agents/{host.member.id}/heartbeat", 200, json={
            "ip": host.member.ip, "cookies_valid": True, "metrics": metrics,
        })  # fmt: skip
        host.status, host.last_beat = reply["status"], now

    def _next(self, host: _Host) -> dict[str, Any] | None:
        path = f"/watcher/agents/{host.member.id}/tasks/next"
        reply = self._post(host, path, 200, params={"marketplace": host.member.marketplace.value})
        task: dict[str, Any] | None = reply["task"]
        return task

    def _result(self, host: _Host, task_id: int, body: dict[str, Any]) -> None:
        receipt = self._post(host, f"/watcher/tasks/{task_id}/result", 200, json=body)
        self.ledger.results[host.member.id] += 1
        self.ledger.errors += "error" in body
        self.ledger.refused_prices += len(receipt["refused"])
        self.ledger.bids_reported += receipt.get("competitor_bids", {}).get("kept", 0)
        host.done_tonight += 1

    def _unknown_task(self, host: _Host, body: dict[str, Any]) -> None:
        self._post(host, f"/watcher/tasks/{UNKNOWN_TASK}/result", 404, json={"prices": body["prices"][:1]})
        self.ledger.unknown_tasks += 1

    def _panic(self, host: _Host, offer: dict[str, Any], now: datetime) -> None:
        details = {"ip": host.member.ip, "url": offer.get("url") or "", "page": str(offer["external_id"])}
        job = self._post(host, f"/watcher/agents/{host.member.id}/panic", 202, json={
            "reason": "captcha", "details": details,
        })  # fmt: skip
        self.wait(job["task_id"])
        self.ledger.held_when_lost[offer["task_id"]] = host.member.id
        self.ledger.panics.append({"agent": host.member.id, "task": offer["task_id"], "at": now.isoformat()})
        self._beat(host, now)  # the server's word on its status: panic

    def _post(self, host: _Host, path: str, expected: int, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {host.member.token}"}
        self.ledger.requests += 1
        answer = self.http.post(path, headers=headers, **kwargs)
        if answer.status_code != expected:
            raise AgentRefused(f"{host.member.id}: POST {path} answered {answer.status_code}: {answer.text[:500]}")
        found: dict[str, Any] = answer.json()
        return found


def events(start: datetime, end: datetime) -> Iterator[tuple[datetime, str]]:
    """The fleet's ticks as the run's events."""
    for at in shift_ticks(start, end):
        yield at, FLEET
