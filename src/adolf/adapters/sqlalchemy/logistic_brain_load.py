"""Load a seller's 1C CSV export into one of the four ``brain_*`` tables (SPEC §3 Logistic:
"ADOLF does not run 1C: a seller's 1C exports land in the ``brain_*`` tables").

The seed has an extractor write these tables at 06:00 and ``sync_brain_stocks`` read them at
06:30; it does not describe the files. Everything below is this project's choice:

- **A load replaces the table's previous load**: the old rows are deleted and the new ones
  inserted in one transaction, all stamped with the same ``loaded_at`` (what
  ``check_brain_freshness`` reads). The whole file is read and checked before the database is
  touched, so a refused file changes nothing. A file with no row to load is refused too: an
  empty extract must not wipe the last good one (the freshness check then flags the table).
- **Encoding**: UTF-8 with or without a BOM, UTF-16 with a BOM (or NUL bytes in its first
  line), otherwise cp1251 (1C's default on Windows). NUL characters are dropped (PostgreSQL's
  text refuses them).
- **Delimiter**: ``;`` (1C's default), ``,`` or a tab, chosen by reading the header line with
  each and keeping the one that recognises the most headers (a tie goes to ``;``). A header
  is never sniffed from the data, where ``12,5`` would fool a sniffer.
- **Header**: the first non-blank line. Names are matched without case, surrounding spaces or
  quotes, and with ``ё`` as ``е``; Russian or English, see ``ALIASES``. When several columns
  name one field, the first alias in ``ALIASES``' order wins; columns not named there are
  ignored. A required field with no column is refused, naming it and listing the headers found.
- **Rows**: a blank line is not a row. A row whose cells do not match the header's count
  (empty cells at the end of either are dropped first: 1C ends a line with a delimiter), with
  an empty code, or with a document date that is not a date, is skipped and counted with its
  line number (the first ``MAX_LISTED`` are listed) — never a crash. A quantity is kept as 1C
  wrote it, text and all: ``sync_brain_stocks`` classifies it (validated / unmapped /
  anomaly), the loader does not judge it. A code seen twice is kept twice, for the same reason.
- Rows are inserted in bulk, ``CHUNK`` rows per ``executemany``.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, Table, delete, insert
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.logistic_tables import (
    BRAIN_TABLES,
    brain_customer_orders,
    brain_goods_receipts,
    brain_stock_balance,
    brain_supplier_orders,
)

CHUNK = 1000
MAX_LISTED = 20
DELIMITERS = (";", ",", "\t")

#: Accepted header names per field, normalised (lower case, ``ё`` as ``е``), first wins.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "code": ("код", "код номенклатуры", "код товара", "code"),
    "name": ("номенклатура", "наименование", "товар", "name"),
    "warehouse": ("склад", "warehouse"),
    "quantity": ("количество", "остаток", "кол-во", "quantity", "qty"),
    "document_date": ("дата", "дата документа", "date", "document_date"),
    "document_number": ("номер", "номер документа", "документ", "number", "document", "document_number"),
}

_DOCUMENT = {"required": ("code", "quantity", "document_date", "document_number"), "optional": ("name",)}
#: Per table: the fields its file must name, and those it may.
FIELDS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "brain_stock_balance": {"required": ("code", "quantity"), "optional": ("name", "warehouse")},
    "brain_customer_orders": _DOCUMENT,
    "brain_supplier_orders": _DOCUMENT,
    "brain_goods_receipts": _DOCUMENT,
}
TABLES: Mapping[str, Table] = {
    table.name: table
    for table in (brain_stock_balance, brain_customer_orders, brain_supplier_orders, brain_goods_receipts)
}
assert tuple(TABLES) == BRAIN_TABLES == tuple(FIELDS)

DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d")


class BrainLoadError(ValueError):
    """The file, the table or the header cannot be loaded at all (a bad row is only skipped)."""


@dataclass(frozen=True)
class SkippedLine:
    line: int
    reason: str


@dataclass(frozen=True)
class LoadReport:
    table: str
    loaded_at: datetime
    encoding: str
    delimiter: str
    rows_read: int
    rows_loaded: int
    rows_replaced: int  # the previous load's rows, deleted
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    skipped_lines: tuple[SkippedLine, ...] = ()  # the first MAX_LISTED

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped_by_reason.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "loaded_at": self.loaded_at.isoformat(),
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_skipped": self.rows_skipped,
            "rows_replaced": self.rows_replaced,
            "skipped_by_reason": dict(self.skipped_by_reason),
            "skipped_lines": [{"line": s.line, "reason": s.reason} for s in self.skipped_lines],
        }


Source = str | os.PathLike[str] | IO[bytes] | IO[str]


def load_brain_csv(
    target: Engine | Connection | Session, source: Source, table: str, loaded_at: datetime
) -> LoadReport:
    """Replace ``table``'s rows with the CSV's. With an engine, in a transaction of its own;
    with a connection or a session, in the caller's (who commits)."""
    brain_table(table)
    if loaded_at.tzinfo is None:
        raise BrainLoadError(f"loaded_at={loaded_at.isoformat()} has no time zone")
    text, encoding = _read(source)
    parsed = _parse(text, table, loaded_at.astimezone(UTC))
    if not parsed.rows:
        raise BrainLoadError(
            f"{_name(source)}: no row to load into {table} ({parsed.read} read, {sum(parsed.skipped.values())}"
            f" skipped{_first_reasons(parsed.listed)}); its previous load is kept"
        )
    if isinstance(target, Engine):
        with target.begin() as connection:
            replaced = _replace(connection, TABLES[table], parsed.rows)
    else:
        connection = target.connection() if isinstance(target, Session) else target
        replaced = _replace(connection, TABLES[table], parsed.rows)
    return LoadReport(
        table=table,
        loaded_at=loaded_at,
        encoding=encoding,
        delimiter=parsed.delimiter,
        rows_read=parsed.read,
        rows_loaded=len(parsed.rows),
        rows_replaced=replaced,
        skipped_by_reason=dict(parsed.skipped),
        skipped_lines=tuple(parsed.listed),
    )


def brain_table(name: str) -> Table:
    """The ``brain_*`` table called ``name``; any other name is refused, naming it."""
    if name not in TABLES:
        raise BrainLoadError(f"table={name!r} is not a 1C extract table; expected one of {', '.join(BRAIN_TABLES)}")
    return TABLES[name]


def _replace(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    replaced = int(connection.execute(delete(table)).rowcount)
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(table), rows[start : start + CHUNK])
    return replaced


# --- reading --------------------------------------------------------------------------------


def _name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


def _read(source: Source) -> tuple[str, str]:
    if isinstance(source, str | os.PathLike):
        try:
            data: bytes | str = Path(source).read_bytes()
        except OSError as exc:
            raise BrainLoadError(f"{os.fspath(source)}: cannot read: {exc.strerror or exc}") from None
    else:
        data = source.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff").replace("\x00", ""), "text"
    text, encoding = _decode(data)
    return text.replace("\x00", ""), encoding


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    head = data.split(b"\n", 1)[0]
    if b"\x00" in head:  # UTF-16 without a BOM: every ASCII character has a NUL beside it
        # The high byte of ASCII (0x00) and of Cyrillic (0x04) comes second in little-endian.
        high = sum(1 for n, byte in enumerate(head[:400]) if byte in (0, 4) and n % 2)
        low = sum(1 for n, byte in enumerate(head[:400]) if byte in (0, 4) and not n % 2)
        order = "utf-16-le" if high >= low else "utf-16-be"
        return data.decode(order, errors="replace"), order
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "cp1251"


def _normal(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().strip('"').strip().lower().replace("ё", "е").split())


@dataclass
class _Parsed:
    delimiter: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    listed: list[SkippedLine] = field(default_factory=list)

    def skip(self, line: int, kind: str, reason: str) -> None:
        self.skipped[kind] += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(SkippedLine(line, reason))


def _first_reasons(listed: Iterable[SkippedLine]) -> str:
    reasons = [f"line {s.line}: {s.reason}" for s in listed][:3]
    return f"; {'; '.join(reasons)}" if reasons else ""


def _header(line: str) -> tuple[str, list[str], dict[str, int]]:
    """The delimiter that recognises the most headers, the header's cells, and field → column."""
    best: tuple[int, int, str, list[str], dict[str, int]] | None = None
    for rank, delimiter in enumerate(DELIMITERS):
        cells = next(csv.reader([line], delimiter=delimiter), [])
        while cells and not cells[-1].strip():  # a trailing delimiter, as 1C writes one
            cells.pop()
        names = [_normal(cell) for cell in cells]
        columns: dict[str, int] = {}
        for name, aliases in ALIASES.items():
            for alias in aliases:
                if alias in names:
                    columns[name] = names.index(alias)
                    break
        score = (len(columns), -rank)
        if best is None or score > (best[0], best[1]):
            best = (len(columns), -rank, delimiter, cells, columns)
    assert best is not None
    return best[2], best[3], best[4]


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(first line, cells or None when unreadable, why) for each record, blank lines left out."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield previous + 1, None, str(exc)
            previous = reader.line_num
            continue
        line, previous = previous + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield line, cells, ""


def _parse(text: str, table: str, loaded_at: datetime) -> _Parsed:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise BrainLoadError(f"{table}: the file is empty (no header line)")
    delimiter, cells, columns = _header(lines[first])
    fields = FIELDS[table]
    missing = [name for name in fields["required"] if name not in columns]
    if missing:
        found = ", ".join(repr(cell.strip()) for cell in cells) or "nothing"
        wanted = "; ".join(f"{name}: {', '.join(ALIASES[name])}" for name in missing)
        raise BrainLoadError(
            f"{table}: missing header{'s' if len(missing) > 1 else ''} {', '.join(repr(name) for name in missing)}"
            f" (accepted: {wanted}); found: {found}"
        )
    width = len(cells)
    used = {name: columns[name] for name in (*fields["required"], *fields["optional"]) if name in columns}
    parsed = _Parsed(delimiter)
    body = "\n".join(lines[first + 1 :])
    for offset, row, error in _records(body, delimiter):
        line = first + 1 + offset
        parsed.read += 1
        if row is None:
            parsed.skip(line, "unreadable", f"unreadable: {error}")
            continue
        while len(row) > width and not row[-1].strip():
            row = row[:-1]
        if len(row) != width:
            parsed.skip(line, "column count", f"{len(row)} columns, the header has {width}")
            continue
        values: dict[str, Any] = {name: row[column].strip() or None for name, column in used.items()}
        if values["code"] is None:
            parsed.skip(line, "empty code", "empty code")
            continue
        if "document_date" in values:
            raw = values["document_date"]
            day = _date(raw)
            if raw is not None and day is None:
                parsed.skip(line, "date", f"document date {raw!r} is not a date (DD.MM.YYYY or YYYY-MM-DD)")
                continue
            values["document_date"] = day
        parsed.rows.append({"line": line, **values, "loaded_at": loaded_at})
    return parsed


def _date(raw: str | None) -> date | None:
    if raw is None:
        return None
    day = raw.replace("T", " ").split(" ", 1)[0]  # 1C writes "31.01.2026 0:00:00"
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(day, pattern).date()
        except ValueError:
            continue
    return None
