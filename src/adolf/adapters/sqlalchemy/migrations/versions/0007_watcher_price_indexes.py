"""Watcher prices: the scoring pass reads each product's priced rows in index order.

``ix_watcher_prices_product_observed`` gains ``id`` — ``calculate_priorities`` orders each
product's observations by ``(observed_at, id)``, and with the index in that order PostgreSQL
reads them sorted instead of sorting 2 000 000 rows every night. ``ix_watcher_prices_unpriced``
(partial, ``price IS NULL``: the few out-of-stock observations) lets the same pass add their
discounts without scanning the priced rows a second time.

Revision ID: 0007_watcher_price_indexes
Revises: 0006_watcher
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_watcher_price_indexes"
down_revision = "0006_watcher"
branch_labels = None
depends_on = None

UNPRICED = sa.text("price IS NULL")


def upgrade() -> None:
    op.drop_index("ix_watcher_prices_product_observed", table_name="watcher_prices")
    op.create_index(
        "ix_watcher_prices_product_observed", "watcher_prices", ["competitor_product_id", "observed_at", "id"]
    )
    op.create_index(
        "ix_watcher_prices_unpriced",
        "watcher_prices",
        ["observed_at"],
        postgresql_where=UNPRICED,
        sqlite_where=UNPRICED,
    )


def downgrade() -> None:
    op.drop_index("ix_watcher_prices_unpriced", table_name="watcher_prices")
    op.drop_index("ix_watcher_prices_product_observed", table_name="watcher_prices")
    op.create_index("ix_watcher_prices_product_observed", "watcher_prices", ["competitor_product_id", "observed_at"])
