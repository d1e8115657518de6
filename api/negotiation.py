"""Content negotiation as RFC 9110 §12.5.1 has it: media ranges with parameters, q, precedence; format=.

Every representation the service sends is UTF-8, so a range's charset parameter matches when it names
UTF-8; other parameters are matched on the type alone (a client that sends the very type the server
labels its answer with, `text/turtle; charset=utf-8`, gets that answer) but still make a range more
specific than the same range without them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from flask import g, request

from kg.results import FormatError

# N3's media types: Turtle is N3, so every Turtle answer is offered under them too (after the registered types),
# and a body sent as N3 is read as Turtle (N3's own syntax, formulae and rules, is then a syntax error).
N3 = ("text/n3", "text/rdf+n3")
# Offered media types per result kind, best default first; each maps to a kg.results format name.
# Every format's registered type comes before every alias, so that a wildcard never answers with an
# alias of a format the client refused or weighed lower (`text/turtle;q=0, */*` is not Turtle).
SOLUTIONS = [
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
    ("application/json", "json"), ("application/xml", "xml"), ("text/xml", "xml"),
]
# Other names of the graph formats, which every RDF answer (documents, VoID, the service description) takes.
# (application/turtle, application/x-trig and text/x-nquads are older names RDF4J and Oxigraph still take.)
GRAPH_ALIASES = [("application/x-turtle", "turtle"), ("application/turtle", "turtle"), ("text/plain", "ntriples"),
                 ("application/json", "jsonld"), ("application/xml", "rdfxml"), ("text/xml", "rdfxml"),
                 ("application/x-trig", "trig"), ("text/x-nquads", "nquads"), *((media, "turtle") for media in N3)]
GRAPHS = [
    ("text/turtle", "turtle"), ("application/n-triples", "ntriples"), ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"), ("application/trig", "trig"), ("application/n-quads", "nquads"),
    *GRAPH_ALIASES,
]
# What format=/output= may say, by result kind, and the formats each name accepts, the one it names
# first: SPARQLWrapper sends json or xml for every query form, and n3 for graphs; N-Triples is Turtle
# (and N3), Turtle is TriG, and N-Triples is N-Quads, so an Accept for the smaller syntax is honoured.
_SHORT = {
    "solutions": {"json": ("json",), "xml": ("xml",), "csv": ("csv",), "tsv": ("tsv",), "srj": ("json",),
                  "srx": ("xml",)},
    "graph": {"turtle": ("turtle", "ntriples"), "ttl": ("turtle", "ntriples"), "n3": ("turtle", "ntriples"),
              "ntriples": ("ntriples",), "n-triples": ("ntriples",), "nt": ("ntriples",), "jsonld": ("jsonld",),
              "json-ld": ("jsonld",), "json": ("jsonld",), "rdfxml": ("rdfxml",), "xml": ("rdfxml",),
              "rdf": ("rdfxml",), "rdf+xml": ("rdfxml",), "rdf/xml": ("rdfxml",),
              "trig": ("trig", "turtle", "ntriples"),
              "nquads": ("nquads", "ntriples"), "n-quads": ("nquads", "ntriples"), "nq": ("nquads", "ntriples")},
}
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(rf"\s*({_TOKEN})/({_TOKEN})\s*((?:;\s*{_TOKEN}\s*=\s*(?:{_TOKEN}|\"(?:[^\"\\]|\\.)*\")\s*)*)$")
_PARAMETER = re.compile(rf";\s*({_TOKEN})\s*=\s*({_TOKEN}|\"(?:[^\"\\]|\\.)*\")")
_QVALUE = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")
UTF8 = ("utf-8", "utf8")


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header: type/subtype (either may be *), its parameters, and its weight."""

    type: str
    subtype: str
    parameters: tuple[tuple[str, str], ...]
    q: float

    @property
    def precedence(self) -> tuple[int, int, int]:
        """More specific ranges take precedence: a type over type/*, over */*; parameters over none."""
        return (self.type != "*", self.subtype != "*", len(self.parameters))

    def matches(self, media: str) -> bool:
        """Whether this range covers `media` (type/subtype, lower case), sent as UTF-8."""
        kind, _, sub = media.partition("/")
        if self.type not in ("*", kind) or self.subtype not in ("*", sub):
            return False
        return all(value.lower() in UTF8 for name, value in self.parameters if name == "charset")


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header, in order; malformed elements are left out."""
    ranges = []
    for element in _split(header):
        found = _RANGE.match(element)
        if not found:
            continue
        kind, sub, rest = found.group(1).lower(), found.group(2).lower(), found.group(3)
        if kind == "*" and sub != "*":
            continue
        parameters, q = [], 1.0
        for name, value in _PARAMETER.findall(rest):
            name = name.lower()
            if name == "q":  # the weight ends the media type's parameters (the rest are accept-ext)
                q = float(value) if _QVALUE.fullmatch(value) else None  # a weight is never a quoted string
                break
            parameters.append((name, re.sub(r"\\(.)", r"\1", value[1:-1]) if value.startswith('"') else value))
        if q is not None:  # a malformed weight (RFC 9110 §12.4.2: q=2, q=0.1234, q="1") spoils its element only
            ranges.append(MediaRange(kind, sub, tuple(parameters), q))
    return ranges


def _split(header: str) -> list[str]:
    """Elements of a list header, separated by commas outside quoted strings."""
    elements, current, quoted, escaped = [], [], False, False
    for char in header:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            elements.append("".join(current))
            current = []
            continue
        current.append(char)
    elements.append("".join(current))
    return [element for element in elements if element.strip()]


def quality(ranges: list[MediaRange], media: str) -> float:
    """The weight of `media`: that of the most specific range covering it (the highest among equals);
    0 when none does."""
    covering = [r for r in ranges if r.matches(media)]
    if not covering:
        return 0.0
    best = max(r.precedence for r in covering)
    return max(r.q for r in covering if r.precedence == best)


def best_match(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the Accept header weighs highest (the first offered among equals), or None
    if it accepts none; no header, or one without a well-formed range, accepts anything."""
    ranges = parse_accept(header or "")
    if not ranges:
        return offered[0] if offered else None
    weights = [(quality(ranges, media), -index, media) for index, media in enumerate(offered)]
    weight, _, media = max(weights)
    return media if weight > 0 else None


# What a client may ask for instead of a page, first among equals: every RDF and results type sent, and problems.
_NOT_HTML = list(dict.fromkeys(["text/turtle", "application/problem+json", "application/json",
                                *(media for media, _ in GRAPHS + SOLUTIONS)]))


def prefers_html() -> bool:
    """Whether the client weighs HTML above every RDF and JSON type (browsers do; `*/*` does not)."""
    g.chosen_by_accept = True  # whatever the view makes of it, the answer now depends on Accept (install())
    return _prefers_html(request.headers.get("Accept"))


def install(app) -> None:
    """Vary: Accept on every answer whose view asked prefers_html(), so no view can forget to say so."""

    @app.after_request
    def vary_by_accept(response):
        if g.get("chosen_by_accept"):  # a shared cache must not hand a browser's page to a JSON client
            response.vary.add("Accept")
        return response


@lru_cache(maxsize=64)
def _prefers_html(accept: str | None) -> bool:
    # `application/ld+json, text/html;q=0.5` prefers JSON-LD, which a list of Turtle and JSON alone did not offer
    return best_match(accept, [*_NOT_HTML, "text/html"]) == "text/html"


def choose(kind: str, offered: list[tuple[str, str]] | None, override: str | None) -> tuple[str, str]:
    """(media type, format name) for a 'solutions' or 'graph' result, from the request's Accept and what its
    format= or output= says (api.params.format_param; see negotiate)."""
    return negotiate(kind, request.headers.get("Accept"), override, offered)


def in_next_format(kind: str, offered, override: str | None, tried: str, error: FormatError, ask):
    """(media type, format, answer) from `ask(media, format)` in the format the request's Accept ranks next after
    `tried`, whose writer refused the answer with `error` (RDF/XML a predicate such as <http://ex/p/123>, XML a control
    character): RFC 9110 §12.5.1 keeps 406 for no acceptable representation. `error` again where format= (`override`)
    named the format or no acceptable one is left."""
    refused = {tried}
    while not override:
        left = [(media, fmt) for media, fmt in (offered or (GRAPHS if kind == "graph" else SOLUTIONS))
                if fmt not in refused]
        try:
            media, fmt = negotiate(kind, request.headers.get("Accept"), None, left) if left else (None, None)
        except FormatError:
            break
        if media is None:
            break
        try:
            return media, fmt, ask(media, fmt)
        except FormatError:
            refused.add(fmt)
    raise error


@lru_cache(maxsize=64)
def negotiated(kind: str, accept: str | None, override: str | None) -> tuple[str, str]:
    """negotiate() with the default offers, kept: clients send the same few Accept headers again and again
    (parsing one cost a twentieth of a small query's CPU). Raises FormatError, which is not kept."""
    return negotiate(kind, accept, override)


def negotiate(kind: str, accept: str | None, override: str | None,
              offered: list[tuple[str, str]] | None = None) -> tuple[str, str]:
    """(media type, format name) for a 'solutions' or 'graph' result, from an Accept header and a format= value;
    raises FormatError when the client accepts none of those offered.

    format= (or output=) narrows the offer to the formats it names; Accept then picks among them, and
    when it picks none the format's own type is sent: format= wins over an Accept it does not satisfy.
    """
    offered = offered or (GRAPHS if kind == "graph" else SOLUTIONS)
    if override and override.strip() != "*/*":  # format=*/* (any type, as Accept writes it) narrows nothing
        offered = _narrowed(override.strip(), offered, _SHORT[kind])
    offered = _without_refused_aliases(accept, offered)
    media = best_match(accept, [media for media, _ in offered])
    if media is None:
        if override:
            return offered[0]
        raise FormatError(f"none of the accepted types can carry this result; offered: "
                          f"{', '.join(media for media, _ in offered)}")
    return media, dict(offered)[media]


def _without_refused_aliases(accept: str | None, offered: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`offered` less each other name of a format whose own type (the first offered for it) the client refused
    with q=0, unless a range names that other name itself: `application/n-quads;q=0, */*` got N-Quads as
    text/x-nquads, a wildcard's pick of the one alias left (helper-209)."""
    ranges = parse_accept(accept or "")
    if not any(r.q == 0 for r in ranges):
        return offered
    own: dict[str, str] = {}
    for media, fmt in offered:
        own.setdefault(fmt, media)

    def refused(media: str) -> bool:
        return any(r.matches(media) for r in ranges) and quality(ranges, media) == 0

    def named(media: str) -> bool:
        return any(r.type != "*" and r.subtype != "*" and r.matches(media) for r in ranges)
    return [(media, fmt) for media, fmt in offered if media == own[fmt] or not refused(own[fmt]) or named(media)]


def graph_formats_for(value: str) -> set[str]:
    """The graph formats that satisfy a format= value, as /sparql reads it: `turtle` is satisfied by N-Triples too
    (N-Triples is Turtle), `trig` by Turtle, `nquads` by N-Triples."""
    return set(_SHORT["graph"].get(value.strip().lower(), ())) | {fmt for kind, fmt in format_names(value)
                                                                   if kind == "graph"}


def format_names(value: str) -> set[tuple[str, str]]:
    """The (result kind, format) pairs a format= value may name: by a short name, a media type, or a list of
    media types as an Accept header gives them (SPARQLWrapper sends its Accept header as a second format=)."""
    found = set()
    for item in value.lower().split(","):
        item = item.partition(";")[0].strip()
        for kind, offered in (("solutions", SOLUTIONS), ("graph", GRAPHS)):
            found |= {(kind, fmt) for media, fmt in offered if media == item}
            if item in _SHORT[kind]:
                found.add((kind, _SHORT[kind][item][0]))
    return found


def _narrowed(value: str, offered, short) -> list[tuple[str, str]]:
    """The offers a format= value allows, its own first."""
    by_media = dict(offered)
    media = _bare_media(value)
    if media in by_media:
        return [(media, by_media[media])]
    names = short.get(value.lower(), ())
    allowed = [(media, fmt) for name in names for media, fmt in offered if fmt == name]
    if not allowed or allowed[0][1] != names[0]:  # the format it names must be on offer
        usable = sorted(key for key, formats in short.items() if formats[0] in {fmt for _, fmt in offered})
        raise FormatError(f"format {value!r} cannot carry this result; use one of: {', '.join(usable)}")
    return allowed


def _bare_media(value: str) -> str:
    """A format= media type without parameters that say nothing but UTF-8, as Accept reads them
    (`text/csv; charset=utf-8`, the very type CSV is labelled with, is text/csv); else the value, lower case."""
    ranges = parse_accept(value) if ";" in value and "," not in value else []
    if len(ranges) == 1 and "*" not in (ranges[0].type, ranges[0].subtype) and ranges[0].q > 0:
        bare = f"{ranges[0].type}/{ranges[0].subtype}"
        if ranges[0].matches(bare):
            return bare
    return value.lower()
