"""Known terms near an unknown one: what a warning about a misspelt sahel: or sk: term offers in its place
(sahel:Aliance -> sahel:Alliance, sahel:State -> sahel:SovereignState)."""

from __future__ import annotations

from urllib.parse import unquote

NEAR_TERMS = 3  # known terms a warning offers for one unknown term, at most
SHORTEST_PART = 4  # letters a local name needs before it counts as a part of another (not 'a', 'of')


def split(iri: str, namespaces) -> tuple[str, str] | None:
    """(namespace, local name) of an IRI in one of `namespaces`, or None."""
    for namespace in namespaces:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return namespace, iri[len(namespace):]
    return None


def nearest(unknown: str, known, namespaces) -> list[str]:
    """Up to NEAR_TERMS IRIs of `known` that `unknown` (an IRI in one of `namespaces`) is likeliest a slip for,
    nearest first: of its own namespace, the same name in other case, then one in another namespace with that
    name (sahel:Membership -> org:Membership), then of its own namespace one or two slips away (a letter
    missing, added, changed or two swapped; one for names of up to five letters), a name holding it whole,
    and one it holds whole."""
    from rapidfuzz.distance import OSA  # here: only a query naming an unknown term comes this way

    parts = split(unknown, namespaces)
    if parts is None:
        return []
    namespace, written = parts
    # %-escapes read as what they escape: sk:ma%6Ci, which is no sk:mali to RDF, is most likely meant for it
    written = _unescaped(written)
    name = written.casefold()
    most = 1 if len(name) <= 5 else 2
    ranked = []
    for iri in set(known) - {unknown}:
        own = split(iri, (namespace,))
        if own is None:
            local = _local_name(iri)
            if local.casefold() == name:
                ranked.append(((0, 1 if local == written else 2), iri))
            continue
        candidate = own[1].casefold()
        if candidate == name:
            rank = (0, 0)
        elif (slips := OSA.distance(name, candidate, score_cutoff=most)) <= most:
            rank = (1, slips)
        elif len(name) >= SHORTEST_PART and name in candidate:
            rank = (2, len(candidate) - len(name))
        elif len(candidate) >= SHORTEST_PART and candidate in name:
            rank = (3, len(name) - len(candidate))
        else:
            continue
        ranked.append((rank, iri))
    return [iri for _, iri in sorted(ranked)[:NEAR_TERMS]]


def _unescaped(text: str) -> str:
    """`text` with its %-escapes read, where they spell UTF-8 (sk:m%FFli's do not: it stays as written)."""
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text


def _local_name(iri: str) -> str:
    """An IRI's last part, after its last '#', '/' or ':': its name within its vocabulary. Found from the end (a
    regular expression anchored there tried every start, seconds for a 50,000-character part of an IRI)."""
    return iri[max(iri.rfind(mark) for mark in "#/:") + 1:]


def did_you_mean(terms: list[str]) -> str:
    """'; did you mean A, B or C?' for the terms offered in place of an unknown one, or '' for none."""
    if not terms:
        return ""
    return "; did you mean " + (terms[0] if len(terms) == 1 else ", ".join(terms[:-1]) + " or " + terms[-1]) + "?"
