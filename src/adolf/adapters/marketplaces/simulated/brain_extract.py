"""``SimulatedOneC``: a seller's 1C warehouse, simulated, and the CSV extracts it exports each
morning in the format ``adolf logistic load-brain`` reads (``logistic_brain_load``).

ADOLF does not run 1C (SPEC §3 Logistic): a seller's exports land in the ``brain_*`` tables.
This is the seller's side of that, for ``adolf simulate``: one warehouse ("Основной склад")
holding our articles, and four files a morning, cp1251 with ``;`` as 1C writes them:

* ``brain_stock_balance`` — ``Код;Номенклатура;Склад;Количество``: the morning's balance per
  article; an article with nothing on hand is left out (1C's balance report omits zero
  balances; ``sync_brain_stocks`` reads it as 0). Quantities as 1C prints them, a no-break
  space between thousands;
* ``brain_goods_receipts`` — ``Дата;Номер;Код;Номенклатура;Количество``: supplier receipts of
  the last ``DOCUMENT_DAYS`` days (each article's last one before the first day included), or
  the latest receipt when none falls in them;
* ``brain_supplier_orders`` — the same columns: each article's open order for its next
  scheduled receipt;
* ``brain_customer_orders`` — the same columns: what left the warehouse over the last
  ``DOCUMENT_DAYS`` days: the supplies shipped to Ozon FBO (``shipped``) and the seller's other
  customers' orders (wholesale, a few a day).

Each file has at least one row whenever the warehouse holds any article: the loader refuses an
empty file (it keeps the previous load), and that table would go stale.

The stock moves as a pure function of the seed and the shipments told (all choices; the seed
003 only names the tables):

* **Level.** Each article has a level, ``daily_units`` × its days of stock: about 6 % hold
  none (the seller buys them elsewhere: ``WAREHOUSE_LOW``), about 30 % are scarce (2–6 days:
  a supply gets part of its deficit), the rest 15–40 days. The first morning holds 60–100 % of
  the level.
* **Out.** What was shipped to Ozon on a day and the day's wholesale orders (each article has
  one on about 15 % of days, and one article a day always does: 1 unit up to a tenth of its
  level) leave by the next morning; the balance never goes below 0.
* **In.** A supplier receipt tops the article up to its level every 3–5 days (per article),
  and is brought forward to the morning the balance would fall below ``REORDER`` of the
  level (a reorder point). So a morning's balance stays within ``REORDER`` … 1 × the level and
  never moves by more than 1 / ``REORDER`` = 2.2× from one morning to the next: within the 1C
  import's ×3 jump rule, so the only anomaly is the planted one.

The planted faults, so the import has something to classify:

* **unmapped codes**: ``UNMAPPED`` — goods 1C holds that are not articles of ours — on every
  morning's balance;
* **an anomaly** on ``anomaly_on``'s morning: the article with the highest level has an extra
  zero typed in (its quantity × 10; the real stock is unchanged, the next morning is right
  again);
* **junk**: each morning one article's quantity reads ``н/д`` (not a number; that article is
  not applied that morning), and the first morning's file has a line cut short (one cell
  missing, which the loader skips and counts).

Which morning's export goes missing is the simulation's choice (it just does not call
``write``); the warehouse moves on regardless.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .model import mix, unit

WAREHOUSE = "Основной склад"
ENCODING = "cp1251"
DELIMITER = ";"
BALANCE_HEADER = ("Код", "Номенклатура", "Склад", "Количество")
DOCUMENT_HEADER = ("Дата", "Номер", "Код", "Номенклатура", "Количество")
TABLES = ("brain_stock_balance", "brain_customer_orders", "brain_supplier_orders", "brain_goods_receipts")
DOCUMENT_DAYS = 7
REORDER = 0.45  # of the level: a receipt is brought forward below it
NONE_SHARE, SCARCE_SHARE = 0.06, 0.30
SCARCE_DAYS, AMPLE_DAYS = (2.0, 6.0), (15.0, 40.0)
CYCLE_DAYS = (3, 5)  # days between scheduled receipts, inclusive
WHOLESALE_SHARE = 0.15
ANOMALY_FACTOR = 10  # an extra zero typed in
JUNK = "н/д"
#: goods in 1C that are not articles of ours: (code, name, quantity)
UNMAPPED: tuple[tuple[str, str, int], ...] = (
    ("УТ-900017", "Пакет фирменный 40х50", 1840),
    ("УТ-900023", "Коробка подарочная малая", 312),
    ("УТ-900031", "Стеллаж складской (не для продажи)", 6),
)

# draw tags
_KIND, _DAYS, _START, _CYCLE, _PHASE, _WHOLESALE, _WHOLESALE_UNITS, _JUNK, _REGULAR = range(301, 310)


@dataclass(frozen=True, slots=True)
class WarehouseArticle:
    """An article as 1C knows it: its code, name, and expected units a day over every channel
    (what sizes its level)."""

    code: str
    name: str
    daily_units: float


@dataclass(frozen=True, slots=True)
class Document:
    day: date
    number: str
    code: str
    name: str
    quantity: int


@dataclass
class Morning:
    """The warehouse at a morning: the balance and the documents of that morning's receipts."""

    day: date
    stock: dict[str, int]
    receipts: list[Document] = field(default_factory=list)


def _key(code: str) -> int:
    return mix(*code.encode("utf-8"))


def _quantity(units: int) -> str:
    """As 1C prints it: thousands split by a no-break space."""
    return f"{units:,}".replace(",", "\u00a0")


class SimulatedOneC:
    """The seller's 1C warehouse from ``start`` on (see the module's docstring). Mornings are
    computed one after another and kept; a shipment told for a day whose next morning was
    already computed is refused (it would rewrite a balance already exported)."""

    def __init__(
        self,
        seed: int,
        articles: Sequence[WarehouseArticle],
        start: date,
        *,
        anomaly_on: date | None = None,
        unmapped: Sequence[tuple[str, str, int]] = UNMAPPED,
    ) -> None:
        codes = [a.code for a in articles]
        if len(set(codes)) != len(codes):
            raise ValueError("articles: a 1C code is given twice")
        self.seed = seed
        self.articles = tuple(articles)
        self.start = start
        self.anomaly_on = anomaly_on
        self.unmapped = tuple(unmapped)
        self._names = {a.code: a.name for a in self.articles}
        self.levels = {a.code: self._level(a) for a in self.articles}
        self._shipped: dict[date, dict[str, int]] = {}
        self._mornings: list[Morning] = []
        self._documents = 0

    # -- the model ------------------------------------------------------------------------

    def _level(self, article: WarehouseArticle) -> int:
        key = _key(article.code)
        kind = unit(self.seed, _KIND, key)
        if kind < NONE_SHARE:
            return 0
        low, high = SCARCE_DAYS if kind < NONE_SHARE + SCARCE_SHARE else AMPLE_DAYS
        days = low + (high - low) * unit(self.seed, _DAYS, key)
        return max(1, math.ceil(article.daily_units * days))

    def _scheduled(self, code: str, day: date) -> bool:
        key = _key(code)
        low, high = CYCLE_DAYS
        cycle = low + mix(self.seed, _CYCLE, key) % (high - low + 1)
        return (day.toordinal() + mix(self.seed, _PHASE, key)) % cycle == 0

    def wholesale(self, day: date) -> dict[str, int]:
        """The other customers' orders of ``day``: code → units (they leave by the next morning)."""
        found = {}
        stocked = [a.code for a in self.articles if self.levels[a.code]]
        regular = stocked[mix(self.seed, _REGULAR, day.toordinal()) % len(stocked)] if stocked else None
        for article in self.articles:
            key, level = _key(article.code), self.levels[article.code]
            if article.code == regular or (
                level and unit(self.seed, _WHOLESALE, key, day.toordinal()) < WHOLESALE_SHARE
            ):
                most = max(1, level // 10)
                found[article.code] = 1 + int(unit(self.seed, _WHOLESALE_UNITS, key, day.toordinal()) * most)
        return found

    def shipped(self, code: str, units: int, day: date) -> None:
        """``units`` of ``code`` left for Ozon FBO on ``day`` (a supply task shipped)."""
        if code not in self.levels:
            raise ValueError(f"code={code!r} is not an article of this warehouse")
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"units={units!r} must be a whole number >= 1")
        if day < self.start:
            raise ValueError(f"day={day.isoformat()} is before the first day {self.start.isoformat()}")
        computed = self._mornings[-1].day if self._mornings else None
        if computed is not None and day < computed:
            raise ValueError(
                f"day={day.isoformat()}: the morning of {computed.isoformat()} is already computed; "
                "a shipment must be told before the next morning's extract"
            )
        per_day = self._shipped.setdefault(day, {})
        per_day[code] = per_day.get(code, 0) + units

    def morning(self, day: date) -> Morning:
        """The balance at ``day``'s morning (computed from the last one kept)."""
        if day < self.start:
            raise ValueError(f"day={day.isoformat()} is before the first day {self.start.isoformat()}")
        while not self._mornings or self._mornings[-1].day < day:
            self._mornings.append(self._next())
        return self._mornings[(day - self.start).days]

    def _next(self) -> Morning:
        if not self._mornings:
            stock = {
                code: math.ceil(level * (0.6 + 0.4 * unit(self.seed, _START, _key(code))))
                for code, level in self.levels.items()
            }
            return Morning(self.start, stock)
        last = self._mornings[-1]
        today = last.day + timedelta(days=1)
        out = dict(self.wholesale(last.day))
        for code, units in self._shipped.get(last.day, {}).items():
            out[code] = out.get(code, 0) + units
        morning = Morning(today, {})
        for code, level in self.levels.items():
            after = max(0, last.stock[code] - out.get(code, 0))
            if level and after < level and (self._scheduled(code, today) or after < REORDER * level):
                morning.receipts.append(self._document("ПТ", today, code, level - after))
                after = level
            morning.stock[code] = after
        return morning

    def _document(self, prefix: str, day: date, code: str, units: int) -> Document:
        self._documents += 1
        return Document(day, f"{prefix}00-{self._documents:06d}", code, self._names[code], units)

    # -- the extract ----------------------------------------------------------------------

    def extract(self, day: date) -> dict[str, list[list[str]]]:
        """The four tables of ``day``'s morning as CSV rows (header first), faults included."""
        morning = self.morning(day)
        balance = [list(BALANCE_HEADER)]
        junk = self._junk_code(morning)
        anomalous = self._anomalous(morning) if day == self.anomaly_on else None
        for article in self.articles:
            units = morning.stock[article.code]
            if not units:
                continue
            shown = _quantity(units * ANOMALY_FACTOR if article.code == anomalous else units)
            balance.append([article.code, article.name, WAREHOUSE, JUNK if article.code == junk else shown])
        balance += [[code, name, WAREHOUSE, _quantity(units)] for code, name, units in self.unmapped]
        if day == self.start and len(balance) > 2:
            balance.insert(2, balance[1][:-1][:3])  # a line cut short: the loader skips it
        return {
            "brain_stock_balance": balance,
            "brain_customer_orders": self._documents_rows(self._customer_orders(day)),
            "brain_supplier_orders": self._documents_rows(self._supplier_orders(day)),
            "brain_goods_receipts": self._documents_rows(self._receipts(day)),
        }

    def write(self, day: date, directory: Path) -> dict[str, Path]:
        """``day``'s four files in ``directory`` (cp1251, ``;``, CRLF, as 1C saves them)."""
        directory.mkdir(parents=True, exist_ok=True)
        written = {}
        for table, rows in self.extract(day).items():
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n").writerows(rows)
            path = directory / f"{day.isoformat()}-{table}.csv"
            path.write_bytes(buffer.getvalue().encode(ENCODING))
            written[table] = path
        return written

    def anomaly_code(self) -> str | None:
        """The article whose quantity the anomaly morning misprints (the highest level)."""
        stocked = [a.code for a in self.articles if self.levels[a.code]]
        return max(stocked, key=lambda code: (self.levels[code], code)) if stocked else None

    def _anomalous(self, morning: Morning) -> str | None:
        code = self.anomaly_code()
        return code if code is not None and morning.stock[code] else None

    def _junk_code(self, morning: Morning) -> str | None:
        stocked = sorted(code for code, units in morning.stock.items() if units and code != self.anomaly_code())
        if not stocked:
            return None
        return stocked[mix(self.seed, _JUNK, morning.day.toordinal()) % len(stocked)]

    def _receipts(self, day: date) -> list[Document]:
        since = day - timedelta(days=DOCUMENT_DAYS)
        before = [self._earlier_receipt(a) for a in self.articles if self.levels[a.code]]
        every = sorted([*before, *(d for m in self._mornings if m.day <= day for d in m.receipts)], key=lambda d: d.day)
        recent = [d for d in every if since < d.day]
        return recent or every[-1:]

    def _earlier_receipt(self, article: WarehouseArticle) -> Document:
        """The receipt before the first day that brought the first morning's balance."""
        day = self.start - timedelta(days=1)
        while not self._scheduled(article.code, day):
            day -= timedelta(days=1)
        number = f"ПТ00-{mix(self.seed, _key(article.code)) % 900_000 + 100_000:06d}"
        return Document(day, number, article.code, article.name, max(1, self.levels[article.code] // 2))

    def _supplier_orders(self, day: date) -> list[Document]:
        orders = []
        for article in self.articles:
            level = self.levels[article.code]
            if not level:
                continue
            due = day + timedelta(days=1)
            while not self._scheduled(article.code, due):
                due += timedelta(days=1)
            number = f"ЗП00-{mix(self.seed, _key(article.code), due.toordinal()) % 900_000 + 100_000:06d}"
            orders.append(Document(due - timedelta(days=7), number, article.code, article.name, max(1, level // 2)))
        return orders

    def _customer_orders(self, day: date) -> list[Document]:
        found = []
        for back in range(DOCUMENT_DAYS, 0, -1):
            when = day - timedelta(days=back)
            out: dict[str, int] = dict(self.wholesale(when))
            for code, units in sorted(out.items()):
                number = f"ЗК00-{mix(self.seed, _key(code), when.toordinal()) % 900_000 + 100_000:06d}"
                found.append(Document(when, number, code, self._names[code], units))
            for code, units in sorted(self._shipped.get(when, {}).items()):
                number = f"ОЗ00-{mix(self.seed, _key(code), when.toordinal(), 1) % 900_000 + 100_000:06d}"
                found.append(Document(when, number, code, self._names[code], units))
        return found

    @staticmethod
    def _documents_rows(documents: Iterable[Document]) -> list[list[str]]:
        rows = [list(DOCUMENT_HEADER)]
        rows += [[f"{d.day:%d.%m.%Y}", d.number, d.code, d.name, _quantity(d.quantity)] for d in documents]
        return rows

    def stock(self, day: date) -> Mapping[str, int]:
        """The real balance at ``day``'s morning (what an honest extract shows)."""
        return dict(self.morning(day).stock)


__all__ = ["TABLES", "UNMAPPED", "Document", "Morning", "SimulatedOneC", "WarehouseArticle"]
