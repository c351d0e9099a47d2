"""ADOLF's domain: the seller's rules as a library, standard library only.

Every rule here is a plain function or a frozen value: no I/O, no framework, no clock (every
"now" is an argument), money as ``Decimal`` (never ``float``). Another application imports
the packages it needs:

- `adolf.domain.marketing` — bid strategies, safety checks, the campaign planner, ad metrics;
- `adolf.domain.alerts` — alert severities, users and who receives an alert;
- `adolf.domain.watcher` — competitor prices: observations, alert conditions, priority scoring;
- `adolf.domain.logistic` — Ozon FBO stock, supply deficits, warehouse allocation, supply tasks;
- `adolf.domain.reputation` — reviews and questions: lifecycle, draft checks, auto-approval.

This package itself holds what they share: the marketplaces, money rounding and the root error.

>>> from adolf.domain import Marketplace, ratio_percent, to_money
>>> to_money("12.345")  # kopecks, rounded half up as on a receipt
Decimal('12.35')
>>> ratio_percent(1, 3)
Decimal('33.33')
>>> ratio_percent(5, 0)  # a zero denominator gives 0, not an error
Decimal('0.00')
>>> Marketplace("ozon")
<Marketplace.OZON: 'ozon'>

What counts as the public API: the names in each package's ``__all__``. Modules inside a
package may change between minor versions; a name leaving an ``__all__`` is a breaking change
(CHANGELOG.md).
"""

from adolf.domain.errors import DomainError
from adolf.domain.marketplace import Marketplace
from adolf.domain.money import InvalidMoney, as_decimal, ratio, ratio_percent, to_money

__all__ = [
    "DomainError",
    "InvalidMoney",
    "Marketplace",
    "as_decimal",
    "ratio",
    "ratio_percent",
    "to_money",
]
