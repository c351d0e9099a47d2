"""The stream of simulated reviews and questions: who wrote what about which product, and when.

Nothing of the feed is stored. Time is cut into 5-minute slots (numbered from the Unix epoch);
the items of a slot for one (platform, item type, brand) are drawn from one ``random.Random``
seeded with a hash of (seed, platform, type, brand, slot). So every process with the same seed
sees the same feed whatever it asks first, and an item can be found again from its id alone:
the id encodes its slot and its place in it (and a check hash, so a made-up id is unknown).

What a day looks like (per platform × brand; the defaults, both adjustable):

* **volume** — about ``daily_reviews`` = 48 reviews and ``daily_questions`` = 12 questions a
  day, spread along the advertising market's Moscow day curve (``model.DAY_CURVE``): busy from
  09:00 to 23:00, a trickle at night; a slot's count is Poisson around its share;
* **ratings** — skewed as on real marketplaces: 60 % 5★, 15 % 4★, 8 % 3★, 7 % 2★, 10 % 1★;
  one 5★ or 4★ review in ten is a bare rating with no text;
* **texts** — Russian, from ``reputation_texts`` (quality, size, delivery, packaging, price,
  defect, return; questions on size, materials, availability, delivery); 3 % carry a
  prompt-injection attempt and 3 % a link, appended to the buyer's words;
* **authors** — first names, 5 % anonymous (an empty author);
* **products** — 24 per brand, the same articles on every platform, each with the platform's
  kind of id (a WB nmId, an Ozon SKU, a YM offer id);
* **malformed** — 2 % of rows are broken the way a client must refuse (``MALFORMED_KINDS``):
  a missing id, a review rated 0 or 6, a question with no text. The same row is broken on
  every poll.

Rows come in one wire shape for all three platforms (a choice: the real shapes differ, and
only the adapter's parsing would see it): ``id``, ``productId``, ``productName``, ``text``,
``rating`` (reviews only), ``author``, ``createdAt`` (ISO 8601, UTC).
"""

from __future__ import annotations

import math
import random
import threading
import uuid
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType

from . import reputation_texts as texts
from .model import DAY_CURVE, DAY_FACTOR, mix
from .timeline import MOSCOW

SLOT = timedelta(minutes=5)
SLOTS_PER_HOUR = 12
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAILY_REVIEWS = 48
DAILY_QUESTIONS = 12
PRODUCTS_PER_BRAND = 24
MALFORMED_RATE = 0.02
INJECTION_RATE = 0.03
LINK_RATE = 0.03
BARE_RATE = 0.10
ANONYMOUS_RATE = 0.05
#: (stars, share): the rating mix of real marketplaces' reviews
RATINGS = ((5, 0.60), (4, 0.15), (3, 0.08), (2, 0.07), (1, 0.10))
MALFORMED_KINDS = {
    ItemType.REVIEW: ("missing id", "rating 0", "rating 6"),
    ItemType.QUESTION: ("missing id", "missing text"),
}
_SLOT_TAG, _ID_TAG, _PRODUCT_TAG = 301, 302, 303
_CHECK = 10**8  # the check hash in an id: 8 digits (YM) or 32 bits (WB, Ozon)
_CACHE = 4096  # slots kept per feed


def slot_at(moment: datetime) -> int:
    """The number of the 5-minute slot containing ``moment``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment={moment!r} must be time-zone aware")
    return (moment - EPOCH) // SLOT


def slot_start(slot: int) -> datetime:
    return EPOCH + slot * SLOT


def _code(text: str) -> int:
    return zlib.crc32(text.encode())


def _platform(platform: Marketplace) -> int:
    return list(Marketplace).index(platform)


def _type(item_type: ItemType) -> int:
    return list(ItemType).index(item_type)


def external_id(platform: Marketplace, slot: int, index: int, check: int) -> str:
    """The id as the platform writes its own: hex (WB), a UUID (Ozon), a number (YM)."""
    if platform is Marketplace.WB:
        return f"{slot:x}{index:02x}{check % 2**32:08x}"
    if platform is Marketplace.OZON:
        return str(uuid.UUID(int=(slot << 72) | (index << 64) | (check % 2**32)))
    return str((slot * 100 + index) * _CHECK + check % _CHECK)


def read_id(platform: Marketplace, text: str) -> tuple[int, int, int] | None:
    """(slot, index, check) of an id written by ``external_id``; None if it cannot be one."""
    try:
        if platform is Marketplace.WB:
            if len(text) < 11 or not all(c in "0123456789abcdef" for c in text):
                return None
            return int(text[:-10], 16), int(text[-10:-8], 16), int(text[-8:], 16)
        if platform is Marketplace.OZON:
            number = uuid.UUID(text).int
            return number >> 72, (number >> 64) & 0xFF, number & 0xFFFFFFFF
        if not text.isascii() or not text.isdigit():
            return None
        rest, check = divmod(int(text), _CHECK)
        return rest // 100, rest % 100, check
    except ValueError:
        return None


def _check(platform: Marketplace, check: int) -> int:
    return check % _CHECK if platform is Marketplace.YM else check % 2**32


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _rating(rng: random.Random) -> int:
    draw = rng.random()
    for stars, share in RATINGS:
        if draw < share:
            return stars
        draw -= share
    return RATINGS[-1][0]


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One item of the feed: its true id and time (for the server side) and the row as the
    marketplace sends it (possibly malformed: then ``broken`` says how)."""

    external_id: str
    created_at: datetime
    row: dict[str, object]
    broken: str | None = None


class ReputationFeed:
    """The feed of one seed (see the module's docstring). Thread-safe; keeps recent slots."""

    def __init__(
        self,
        seed: int,
        *,
        daily_reviews: float = DAILY_REVIEWS,
        daily_questions: float = DAILY_QUESTIONS,
        malformed_rate: float = MALFORMED_RATE,
    ) -> None:
        for name, value in (("daily_reviews", daily_reviews), ("daily_questions", daily_questions)):
            if not 0 <= value <= 100_000:
                raise ValueError(f"{name}={value!r} must be 0…100000")
        if not 0.0 <= malformed_rate <= 1.0:
            raise ValueError(f"malformed_rate={malformed_rate!r} must be between 0 and 1")
        self.seed = seed
        self.daily = {ItemType.REVIEW: daily_reviews, ItemType.QUESTION: daily_questions}
        self.malformed_rate = malformed_rate
        self._cache: OrderedDict[tuple[Marketplace, ItemType, str, int], tuple[FeedRow, ...]] = OrderedDict()
        self._lock = threading.Lock()

    # -- products ----------------------------------------------------------------------------

    def product(self, platform: Marketplace, brand: str, index: int) -> tuple[str, str]:
        """(product id, name) of the brand's ``index``-th article on ``platform``."""
        article = mix(self.seed, _PRODUCT_TAG, _code(brand), index)
        name = texts.product_name(article % 1000, (article >> 10) % 1000)
        salt = mix(article, _platform(platform))
        if platform is Marketplace.WB:
            return str(100_000_000 + salt % 400_000_000), name
        if platform is Marketplace.OZON:
            return str(1_000_000_000 + salt % 1_000_000_000), name
        return f"{brand.upper()[:8]}-{index + 1:04d}", name

    # -- the stream --------------------------------------------------------------------------

    def slot(self, platform: Marketplace, item_type: ItemType, brand: str, slot: int) -> tuple[FeedRow, ...]:
        """The items created in ``slot``, oldest first."""
        key = (platform, item_type, brand, slot)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        rows = self._generate(platform, item_type, brand, slot)
        with self._lock:
            self._cache[key] = rows
            if len(self._cache) > _CACHE:
                self._cache.popitem(last=False)
        return rows

    def rows(
        self, platform: Marketplace, item_type: ItemType, brand: str, start: datetime, end: datetime
    ) -> list[FeedRow]:
        """The items created at or after ``start`` and before ``end``, oldest first."""
        found: list[FeedRow] = []
        for number in range(slot_at(start), slot_at(end) + 1):
            found.extend(r for r in self.slot(platform, item_type, brand, number) if start <= r.created_at < end)
        return found

    def locate(self, platform: Marketplace, item_type: ItemType, brand: str, ident: str) -> FeedRow | None:
        """The item with id ``ident`` (None: no such item of that brand, ever)."""
        parts = read_id(platform, ident)
        if parts is None:
            return None
        for row in self.slot(platform, item_type, brand, parts[0]):
            if row.external_id == ident:
                return row
        return None

    def _generate(self, platform: Marketplace, item_type: ItemType, brand: str, slot: int) -> tuple[FeedRow, ...]:
        p, t, b = _platform(platform), _type(item_type), _code(brand)
        rng = random.Random(mix(self.seed, _SLOT_TAG, p, t, b, slot))
        hour = slot_start(slot).astimezone(MOSCOW).hour
        mean = self.daily[item_type] * DAY_CURVE[hour] / DAY_FACTOR / SLOTS_PER_HOUR
        count = min(_poisson(rng, mean), 99)
        offsets = sorted(rng.randrange(int(SLOT.total_seconds())) for _ in range(count))
        start = slot_start(slot)
        rows = []
        for index, offset in enumerate(offsets):
            ident = external_id(platform, slot, index, _check(platform, mix(self.seed, _ID_TAG, p, t, b, slot, index)))
            created = start + timedelta(seconds=offset)
            rows.append(self._item(rng, platform, item_type, brand, ident, created))
        return tuple(rows)

    def _item(
        self, rng: random.Random, platform: Marketplace, item_type: ItemType, brand: str, ident: str, created: datetime
    ) -> FeedRow:
        product_id, name = self.product(platform, brand, rng.randrange(PRODUCTS_PER_BRAND))
        rating = _rating(rng) if item_type is ItemType.REVIEW else None
        if rating is not None:
            bare = rating >= 4 and rng.random() < BARE_RATE
            text = "" if bare else texts.review_text(rng, rating, name)
        else:
            text = texts.question_text(rng, name)
        if text and rng.random() < INJECTION_RATE:
            text = f"{text} {texts.injection(rng, name)}"
        if text and rng.random() < LINK_RATE:
            text = f"{text} {texts.link(rng, name)}"
        author = "" if rng.random() < ANONYMOUS_RATE else rng.choice(texts.AUTHORS)
        row: dict[str, object] = {
            "id": ident,
            "productId": product_id,
            "productName": name,
            "text": text,
            "author": author,
            "createdAt": created.isoformat().replace("+00:00", "Z"),
        }
        if rating is not None:
            row["rating"] = rating
        broken = None
        # drawn for every row, broken or not, so the malformed rate does not shift the others
        draw, how = rng.random(), rng.random()
        if draw < self.malformed_rate:
            kinds = MALFORMED_KINDS[item_type]
            broken = kinds[int(how * len(kinds))]
            if broken == "missing id":
                del row["id"]
            elif broken == "missing text":
                del row["text"]
            else:
                row["rating"] = int(broken.removeprefix("rating "))
        return FeedRow(ident, created, row, broken)


__all__ = [
    "MALFORMED_KINDS",
    "RATINGS",
    "SLOT",
    "FeedRow",
    "ReputationFeed",
    "external_id",
    "read_id",
    "slot_at",
    "slot_start",
]
