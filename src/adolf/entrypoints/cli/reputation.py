"""`adolf reputation …`: the answers to buyers' reviews and questions, as a manager works them.

- ``pending``: the drafts waiting for a manager, oldest first, with what the model read;
  ``items``: items in any status; ``show ID``: one item in full (its text, analysis, answer);
- ``approve ID``: the model's draft goes out as it is (``send_response`` queued);
  ``edit ID --text``: your own words replace the draft and go out; ``regenerate ID
  --instructions``: a new draft following them is queued; ``skip ID``: no answer.

The moves are the HTTP API's (``application.reputation.manager_actions``: the same checks,
the same draft checks on your text). The CLI acts as an operator on the host, with the role
``admin``: every brand, no token (whoever may run ``adolf`` may read the database anyway).

Exit codes: 0 done, 2 refused (unknown id, an item not in a status the action applies to — the
message names both —, a text failing the draft checks — it names the reasons —, a bad
option), 1 the database could not be read or written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from typing import Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from adolf.application.reputation import manager_actions
from adolf.application.reputation.manager_actions import ItemNotFound, NotAllowed, ReviewCard, WrongState
from adolf.application.reputation.ports import ReputationServices
from adolf.domain.alerts.users import ALL_BRANDS, Role, User
from adolf.domain.errors import DomainError
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.lifecycle import ItemStatus
from adolf.entrypoints.cli.context import console, container, cut, errors, fail, masked, nothing_in_database
from adolf.entrypoints.reputation_cards import MAX_LISTED, card, card_json, cards

app = typer.Typer(
    help="Reputation: answers to buyers' reviews and questions (pending drafts, approve, edit, regenerate, skip).",
    no_args_is_help=True,
)

OPERATOR = User("cli", "operator (adolf CLI)", Role.ADMIN, ALL_BRANDS)
JSON_HELP = "Print JSON instead of a table."
ID_HELP = "The item's id (`adolf reputation pending`)."
BRAND_HELP = "One brand's name (ADOLF_BRANDS), or 'all'."
SHORT = 70  # characters of a text shown in a table; `show ID` prints it whole
STATUS_STYLE = {
    ItemStatus.NEW: "dim",
    ItemStatus.ANALYZED: "yellow",
    ItemStatus.PENDING_REVIEW: "cyan",
    ItemStatus.APPROVED: "blue",
    ItemStatus.PUBLISHED: "green",
    ItemStatus.FAILED: "red",
    ItemStatus.SKIPPED: "dim",
}
SENTIMENT_STYLE = {"positive": "green", "neutral": "yellow", "negative": "red"}


def _exit(message: str, code: int = 2) -> NoReturn:
    """``fail``, typed as the exit it is (so a checked None is narrowed after it)."""
    fail(message, code)
    raise AssertionError("fail() exits")  # pragma: no cover


def _services() -> ReputationServices:
    services: ReputationServices = container().services()
    return services


def _print_json(document: Any) -> None:
    console.print_json(json.dumps(document, ensure_ascii=False, default=str))


def _database_failed(exc: SQLAlchemyError) -> Any:
    detail = getattr(exc, "orig", None) or exc
    return fail(masked(f"the database could not be read or written (is it migrated? `adolf db upgrade`): {detail}"))


def _brands(services: ReputationServices, brand: str) -> list[str] | None:
    if brand.strip().lower() == ALL_BRANDS:
        return None
    if brand not in services.brands:
        fail(f"--brand={brand!r} is not one of ADOLF_BRANDS ({', '.join(services.brands)}) nor 'all'", 2)
    return [brand]


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return escape(cut(flat, SHORT))


def _styled(value: str, style: str) -> str:
    return f"[{style}]{value}[/{style}]"


def _stars(rating: int | None) -> str:
    return "?" if rating is None else "★" * rating


def _listing(
    status: ItemStatus | None, brand: str, platform: Marketplace | None, limit: int, as_json: bool, empty: str
) -> None:
    services = _services()
    scope = _brands(services, brand)
    try:
        found = cards(services, status, scope, platform, limit)
    except SQLAlchemyError as exc:
        _database_failed(exc)
    if as_json:
        _print_json([card_json(one) for one in found])
        return
    if not found:
        nothing_in_database(empty)
        return
    table = Table(
        title=f"{len(found)} item(s), oldest first" + (f" (the first {limit})" if len(found) == limit else ""),
        caption="`adolf reputation show ID` prints an item and its answer in full",
    )
    for name in ("id", "item", "brand", "written, UTC", "status", "mood"):
        table.add_column(name, no_wrap=name in ("id", "item", "status"))
    table.add_column("buyer", ratio=1, min_width=12)
    table.add_column("answer", ratio=1, min_width=12)
    for one in found:
        item, reading, answer = one.item, one.analysis, one.response
        mood = "-" if reading is None else _styled(reading.sentiment.value, SENTIMENT_STYLE[reading.sentiment.value])
        what = f"{item.platform.value} {_stars(item.rating) if item.rating is not None else 'question'}"
        table.add_row(
            str(item.id),
            what,
            escape(item.brand),
            f"{item.created_at.astimezone(UTC):%m-%d %H:%M}",
            _styled(item.status.value, STATUS_STYLE[item.status]),
            mood,
            _short(item.text) or "[dim](rating only)[/dim]",
            "-" if answer is None else _short(answer.text),
        )
    console.print(table)


@app.command()
def pending(
    brand: str = typer.Option(ALL_BRANDS, "--brand", help=BRAND_HELP),
    platform: Marketplace | None = typer.Option(None, "--platform", help="Only this marketplace's items."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=MAX_LISTED, help="How many, oldest first."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Drafts waiting for a manager (pending_review), oldest first, with the model's reading.

    Approve one as it is (`approve ID`), write your own (`edit ID --text`), ask for another
    (`regenerate ID --instructions`) or leave the buyer unanswered (`skip ID`)."""
    _listing(ItemStatus.PENDING_REVIEW, brand, platform, limit, as_json, "drafts waiting for a manager")


@app.command()
def items(
    status: ItemStatus | None = typer.Option(None, "--status", help="Only items in this status (default: any)."),
    brand: str = typer.Option(ALL_BRANDS, "--brand", help=BRAND_HELP),
    platform: Marketplace | None = typer.Option(None, "--platform", help="Only this marketplace's items."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=MAX_LISTED, help="How many, oldest first."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Reviews and questions in any status, oldest first, with their answers.

    An item moves new → analyzed → pending_review → approved → published; failed (a publish
    error, retried) and skipped on the side."""
    shown = f" with status {status.value}" if status else ""
    _listing(status, brand, platform, limit, as_json, f"items{shown}")


@app.command()
def show(
    item_id: int = typer.Argument(..., min=1, metavar="ID", help=ID_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """One item in full: the buyer's words, the model's reading, the answer and how its publishing went."""
    try:
        found = card(_services(), item_id)
    except SQLAlchemyError as exc:
        _database_failed(exc)
    if found is None:
        _exit(f"no item {item_id}")
    if as_json:
        _print_json(card_json(found))
        return
    _print_card(found)


def _print_card(found: ReviewCard) -> None:
    item, reading, answer = found.item, found.analysis, found.response
    rating = f", {_stars(item.rating)}" if item.rating is not None else ""
    console.print(
        f"[bold]item {item.id}[/bold]: {item.item_type.value} on {item.platform.value} ({escape(item.external_id)})"
        f"{rating}, brand {escape(item.brand)}, {_styled(item.status.value, STATUS_STYLE[item.status])}"
    )
    product = f" {escape(item.product_name)}" if item.product_name else ""
    author = escape(item.author) or "anonymous"
    console.print(
        f"product {escape(item.product_id)}{product}; by {author} at {item.created_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    )
    console.print(escape(item.text) or "[dim](a rating without words)[/dim]", soft_wrap=True)
    if reading is not None:
        topics = ", ".join(reading.topics) or "-"
        console.print(
            f"reading ({escape(reading.model)}): {reading.sentiment.value}, urgency {reading.urgency.value}, "
            f"topics {escape(topics)}"
        )
    if answer is None:
        console.print("no answer yet")
        return
    console.print(f"answer ({answer.source.value}, {answer.status.value}, {answer.attempts} send(s)):")
    console.print(escape(answer.text), soft_wrap=True)
    if answer.instructions:
        console.print(f"following: {escape(answer.instructions)}", soft_wrap=True)
    if answer.last_error:
        console.print(f"[red]last error:[/red] {escape(answer.last_error)}", soft_wrap=True)


def _act(
    item_id: int, action: Callable[[ReputationServices], dict[str, Any]], services: ReputationServices | None = None
) -> dict[str, Any]:
    try:
        summary = action(services or _services())
    except ItemNotFound:
        fail(f"no item {item_id}", 2)
    except (WrongState, NotAllowed) as exc:  # each names the item and both statuses (or the brand)
        fail(str(exc), 2)
    except (DomainError, ValueError) as exc:  # the draft checks' reasons, or blank instructions
        fail(f"item {item_id}: {exc}", 2)
    except SQLAlchemyError as exc:
        _database_failed(exc)
    return summary


def _approving(
    item_id: int, action: Callable[[ReputationServices], dict[str, Any]], services: ReputationServices
) -> dict[str, Any]:
    """``_act`` for an approval. It is committed before ``send_response`` is queued: when the
    broker cannot take the send, the outbox keeps it for the next Reputation job's flush, so
    the approval is reported as done (exit 0, ``send: deferred``) and not as a failure."""
    before = _now(services, item_id)
    try:
        return _act(item_id, action, services)
    except typer.Exit:
        raise
    except Exception as exc:
        after = _now(services, item_id)
        if before is None or after is None or before.item.status is ItemStatus.APPROVED:
            raise
        if after.item.status is not ItemStatus.APPROVED:
            raise
        errors.print(
            f"[yellow]warning:[/yellow] queueing reputation.send_response failed ({type(exc).__name__}): "
            "the outbox sends it with the next Reputation job",
            soft_wrap=True,
        )
        return {"item_id": item_id, "status": ItemStatus.APPROVED.value, "by": OPERATOR.id, "send": "deferred"}


@app.command()
def approve(
    item_id: int = typer.Argument(..., min=1, metavar="ID", help=ID_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Approve the model's draft as it is (pending_review → approved); send_response is queued.

    The draft is checked again first. Exit 2 for an unknown id, an item not waiting for review
    (the message names its status and the one wanted) or a draft failing the checks."""
    services = _services()
    summary = _approving(item_id, lambda services: manager_actions.approve(services, item_id, OPERATOR), services)
    _approved(services, item_id, summary, as_json)


@app.command()
def edit(
    item_id: int = typer.Argument(..., min=1, metavar="ID", help=ID_HELP),
    text: str = typer.Option(..., "--text", help="Your answer, published as written (quote it)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Replace the draft with your own words and approve them (pending_review or analyzed → approved).

    Your text passes the same checks as a model's: not empty, within the platform's length, no
    links, phone numbers or e-mail addresses. Exit 2 naming every reason when it does not."""
    services = _services()
    summary = _approving(
        item_id, lambda services: manager_actions.edit_and_approve(services, item_id, text, OPERATOR), services
    )
    _approved(services, item_id, summary, as_json)


def _now(services: ReputationServices, item_id: int) -> ReviewCard | None:
    """The item as it is after an action: with the inline queue its jobs have already run."""
    try:
        return card(services, item_id)
    except SQLAlchemyError:  # the action is done: reading it back is a courtesy
        return None


def _approved(services: ReputationServices, item_id: int, summary: dict[str, Any], as_json: bool) -> None:
    now = _now(services, item_id)
    if as_json:
        _print_json({**summary, "now": None if now is None else card_json(now)})
        return
    status = None if now is None else now.item.status
    if summary.get("send") == "deferred":
        console.print(f"item {item_id}: approved; its publishing waits in the outbox until the broker is back")
    elif status is ItemStatus.PUBLISHED:
        console.print(f"item {item_id}: approved and published")
    elif status is ItemStatus.FAILED and now is not None and now.response is not None:
        error = escape(now.response.last_error or "?")
        console.print(
            f"item {item_id}: approved; publishing failed: {error} "
            "(reputation.retry_failed_publish tries again hourly)",
            soft_wrap=True,
        )
    else:
        console.print(f"item {item_id}: approved; the answer is queued for publishing (reputation.send_response)")


@app.command()
def regenerate(
    item_id: int = typer.Argument(..., min=1, metavar="ID", help=ID_HELP),
    instructions: str = typer.Option(..., "--instructions", help="What the new draft should do differently."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Ask the model for a new draft following your instructions (reputation.regenerate_response).

    The item keeps waiting for review; with the inline queue the new draft is there when the
    command returns (shown), otherwise a worker writes it (`adolf reputation show ID`)."""
    services = _services()
    summary = _act(
        item_id,
        lambda services: manager_actions.request_regenerate(services, item_id, instructions, OPERATOR),
        services,
    )
    now = _now(services, item_id)
    if as_json:
        _print_json({**summary, "now": None if now is None else card_json(now)})
        return
    answer = None if now is None else now.response
    if answer is not None and answer.instructions == instructions.strip():
        console.print(f"item {item_id}: new draft ({now.item.status.value if now else '?'}):")
        console.print(escape(answer.text), soft_wrap=True)
        return
    console.print(
        f"item {item_id}: a new draft is queued (reputation.regenerate_response); `adolf reputation show {item_id}`"
    )


@app.command()
def skip(
    item_id: int = typer.Argument(..., min=1, metavar="ID", help=ID_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Leave the buyer unanswered (new, analyzed or pending_review → skipped; final).

    Exit 2 for an unknown id or an item already approved, published or skipped (the message
    names its status and the ones wanted)."""
    summary = _act(item_id, lambda services: manager_actions.skip(services, item_id, OPERATOR))
    if as_json:
        _print_json(summary)
        return
    console.print(f"item {item_id}: skipped; no answer will be published")
