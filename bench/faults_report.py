"""One row per (scenario, backend) and the table they print as. ``None`` = not measured by
that scenario (printed ``-``); an error that stopped a scenario is printed in its note."""

from __future__ import annotations

from dataclasses import dataclass, field

COLUMNS = (
    ("scenario", "scenario"),
    ("backend", "backend"),
    ("trials", "trials"),
    ("jobs_lost", "jobs lost"),
    ("effects_doubled", "effects doubled"),
    ("divergent_keywords", "divergent keywords"),
    ("duplicate_alerts", "duplicate alerts"),
    ("crashes", "crashes"),
    ("seconds", "s"),
    ("note", "note"),
)


@dataclass
class Row:
    scenario: str
    backend: str
    trials: int = 0
    jobs_lost: int | None = None
    effects_doubled: int | None = None
    divergent_keywords: int | None = None
    duplicate_alerts: int | None = None
    crashes: int | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def add(self, **counts: int) -> None:
        for name, value in counts.items():
            setattr(self, name, (getattr(self, name) or 0) + value)

    @property
    def note(self) -> str:
        return "; ".join(n for n in self.notes if n)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.0f}"
    return str(value)


def table(rows: list[Row]) -> str:
    cells = [[head for _, head in COLUMNS]] + [[_cell(getattr(r, name)) for name, _ in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS) - 1)]
    lines = []
    for n, line in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=False)) + "  " + line[-1])
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  ----")
    return "\n".join(line.rstrip() for line in lines)
