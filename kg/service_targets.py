"""Where each SERVICE of a text sends its pattern: its target read as the engine reads it.

A relative IRI resolves against the BASE in force where it stands (each BASE line against the one before it,
the first against the request's base); a prefixed name takes the PREFIX in force, whose IRI resolved against
the BASE in force where it was declared. With no base to resolve against, the local engine refuses a relative
IRI and a remote one resolves it against a base of its own: such a target names nothing the allow-list can
hold, and is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
import pyoxigraph as ox

from kg.endpoint_keys import ZONE_ID, endpoint_key, has_zone_id
from kg.errors import PolicyError, shown_endpoint
from kg.iri_resolution import is_absolute
from kg.sparql_lexer import significant
from kg.sparql_parts import ServiceClause, in_force, iri_named

_SERVICE = re.compile("service", re.IGNORECASE)


@dataclass(frozen=True)
class ServiceTarget:
    """One SERVICE [SILENT] target, nested ones too, and what it names there."""

    keyword: int  # the offset of its SERVICE keyword
    start: int  # the target's span as written (empty at the end of the text)
    end: int
    written: str  # as next_target names it: an IRI, prefixed name, variable or what stands in their place
    named: str | None  # the IRI it names, relative where no base resolves it; None for a variable or the like
    base: str | None  # the BASE in force there
    prefixes: dict[str, str]  # the PREFIX declarations in force there, resolved

    @property
    def iri(self) -> str | None:
        """The absolute IRI it names, the only kind the allow-list may hold."""
        return self.named if is_absolute(self.named) else None


def service_targets(text: str, prefixes: dict[str, str], base: str | None = None) -> list[ServiceTarget]:
    """The SERVICE targets of `text` in order; prefixed names not declared by the text take `prefixes`, and
    `base` is the base its first BASE (or a relative IRI, without one) resolves against."""
    if not _SERVICE.search(text):  # most texts
        return []
    targets = []
    tokens = significant(text)
    for index, (kind, value, start, _), declared, base in in_force(tokens, prefixes, base):
        if kind == "word" and value.upper() == "SERVICE":
            following = tokens[index + 1:index + 2]
            at = index + 1 + (bool(following) and following[0][0] == "word" and following[0][1].upper() == "SILENT")
            token_kind, written, begin, end = tokens[at] if at < len(tokens) else ("", "", len(text), len(text))
            targets.append(ServiceTarget(start, begin, end, written, iri_named(token_kind, written, declared, base),
                                         base, dict(declared)))
    return targets


def refusal(target: ServiceTarget, written: str, allowlist) -> PolicyError:
    """Why `target` (`written` so by the user) may not be called: named as written, with what it names where
    the text does not say it."""
    if written.startswith("<") and written.endswith(">"):  # credentials even of the user's own go into no answer
        written = f"<{shown_endpoint(written[1:-1])}>"
    if target.named is None:
        why = ""
    elif target.iri is None:
        why = f": it names the relative IRI <{target.named}>, and no BASE resolves it"
    else:
        why = "" if written == f"<{shown_endpoint(target.iri)}>" else f": it names <{shown_endpoint(target.iri)}>"
        why += f" ({ZONE_ID})" if has_zone_id(target.iri) else ""
    return PolicyError(f"SERVICE {written or '(missing endpoint)'} is not allowed{why} "
                       f"(allowed endpoints: {', '.join(map(shown_endpoint, allowlist)) or 'none'})")


def allowed_as(iri: str | None, allowlist) -> str | None:
    """The allow-list's entry `iri` names, as the list writes it (what is then called), or None."""
    if iri is None:
        return None
    if iri in allowlist:
        return iri
    key = endpoint_key(iri)
    return next((entry for entry in allowlist if endpoint_key(entry) == key), None)


def nested_named(clause: ServiceClause, targets: list[ServiceTarget]) -> ServiceClause:
    """`clause` with the targets of the SERVICE clauses nested in its pattern written as the IRIs they were
    allowed as: the endpoint it is sent to would resolve a relative one its own way."""
    opening = clause.end - len(clause.pattern)
    pattern = clause.pattern
    for target in reversed([t for t in targets if opening <= t.start and t.end <= clause.end and t.iri]):
        pattern = pattern[:target.start - opening] + str(ox.NamedNode(target.iri)) + pattern[target.end - opening:]
    return replace(clause, pattern=pattern)
