"""Time spans known only as precisely as their source: the bounds that follow from the article's own
(unknown) date, and whether something certainly, possibly or certainly not held on a given day.

A span has up to four flat bounds: it starts in [startsNotBefore, startsNotAfter] and ends in
[endsNotBefore, endsNotAfter]; a missing bound is open. What held during the span:
- certainly held on day D when it had surely started (startsNotAfter <= D) and surely not ended
  (D <= endsNotBefore);
- certainly did not hold on D when D is before its earliest start or after its latest end;
- possibly held otherwise. A fact dated to a year has no startsNotAfter/endsNotBefore inside that year,
  so it is never reported as certainly holding on one of its days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from kg.paths import QUERIES_DIR

BOUNDS = ("starts_not_before", "starts_not_after", "ends_not_before", "ends_not_after")


class Holding(str, Enum):
    """Whether what a claim states held on a day."""

    CERTAINLY = "certainly"
    POSSIBLY = "possibly"
    NOT = "not"


@dataclass(frozen=True)
class Bounds:
    """The four flat bounds of a span (None: open)."""

    starts_not_before: date | None = None
    starts_not_after: date | None = None
    ends_not_before: date | None = None
    ends_not_after: date | None = None

    def on(self, day: date) -> Holding:
        """Certainly, possibly or not held on `day` (see the module docstring)."""
        if (self.starts_not_before and day < self.starts_not_before) or \
                (self.ends_not_after and day > self.ends_not_after):
            return Holding.NOT
        if self.starts_not_after and self.ends_not_before and self.starts_not_after <= day <= self.ends_not_before:
            return Holding.CERTAINLY
        return Holding.POSSIBLY


def _latest(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return max(known) if known else None


def _earliest(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def derive(span: dict, published_not_before: date | None, published_not_after: date | None) -> Bounds:
    """A span's bounds: those the claims file gives, tightened by what is known of the article's date.

    `span["relative"]` places the span against the article: as of it (held on its date, so started no
    later than its latest date and not ended before its earliest), before it (ended no later than its
    latest date) or after it (started no earlier than its earliest date). An `ongoing` span held up to
    the article's date too.
    """
    given = Bounds(**{key: span.get(key) for key in BOUNDS})
    relative = str(span.get("relative", ""))
    held_at_article = relative.endswith("AsOfSource") or bool(span.get("ongoing"))
    starts_not_before, starts_not_after = given.starts_not_before, given.starts_not_after
    ends_not_before, ends_not_after = given.ends_not_before, given.ends_not_after
    if held_at_article:
        starts_not_after = _earliest(starts_not_after, published_not_after)
        ends_not_before = _latest(ends_not_before, published_not_before, starts_not_before)
    if relative.endswith("BeforeSource"):
        ends_not_after = _earliest(ends_not_after, published_not_after)
    if relative.endswith("AfterSource"):
        starts_not_before = _latest(starts_not_before, published_not_before)
    return Bounds(starts_not_before, starts_not_after, ends_not_before, ends_not_after)


AS_OF_QUERY = QUERIES_DIR / "as-of-status.rq"


def claims_as_of(service, day: date) -> list[tuple[str, Holding]]:
    """Each claim with whether what it states held on `day`, from the shipped as-of-status query.

    `service` is a kg.query.QueryService; the rows come back as (claim IRI, Holding), by claim.
    """
    import pyoxigraph as ox

    text = AS_OF_QUERY.read_text(encoding="utf-8")
    day_term = ox.Literal(day.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    result = service.query(text, bindings={"asOf": day_term})
    return [(row[0].value, Holding(row[1].value)) for row in result.rows]
