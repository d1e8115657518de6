"""Relative IRI references resolved as RFC 3986 §5.2 says, and as the engine (oxigraph) resolves them.

urllib.parse.urljoin is not that: it treats only the schemes it knows as hierarchical (urn:a:b and c give c),
reads `http:g` against an http base as relative, and drops an empty query or fragment (`?`, `#`). A check
that resolved with it would name another IRI than the engine does.
"""

from __future__ import annotations

import re
import unicodedata

# RFC 3986 Appendix B, with a scheme as §3.1 spells one: a first segment such as `1a:b` or `./a:b` is a path.
_PARTS = re.compile(r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)
_SEGMENT = re.compile(r"/?[^/]*")


# RFC 3987 §4.1: an IRI must not hold these; shown, they reorder the text around them (a name can pass for another).
BIDI_FORMATTING = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")  # Bidi_Control


def bidi_fault(text: str) -> str | None:
    """Why `text` may not name a graph if it holds a bidirectional formatting character, else None."""
    found = next((character for character in text if character in BIDI_FORMATTING), None)
    if found is None:
        return None
    return (f"the IRI holds U+{ord(found):04X} ({unicodedata.name(found)}), a bidirectional formatting character, "
            "which RFC 3987 §4.1 forbids in an IRI")


# pyoxigraph's word for a relative IRI where it wants an absolute one: it names neither the IRI nor what it needs.
NO_SCHEME = "No scheme found in an absolute IRI"
RELATIVE = "a relative IRI (it has no scheme, such as http:)"
NO_BASE = f"{RELATIVE}, and no base IRI was given to resolve it against"


def iri_fault(text: str, error: Exception, remedy: str) -> str:
    """Why `text` is no absolute IRI, in the project's words rather than pyoxigraph's; `remedy` says what to do
    for a relative one (where a base would come from, or to write it whole)."""
    said = str(error)
    if said.startswith(NO_SCHEME):
        return f"<{text}> is {RELATIVE}: {remedy}"
    return f"<{text}> is not an IRI: {iri_words(said)}"


def iri_words(said: str) -> str:
    """pyoxigraph's message on a malformed IRI ("Invalid IRI code point ' '") in the project's words."""
    code_point = re.fullmatch(r"Invalid IRI code point '(.+)'", said, re.S)
    if code_point:
        return f"an IRI cannot hold {code_point.group(1)!r} (no spaces, nor any of <>\"{{}}|^`\\)"
    return said[:1].lower() + said[1:]


def is_absolute(iri: str | None) -> bool:
    """Whether `iri` has a scheme (an absolute IRI, RFC 3987 §2.2), so that no base changes it."""
    return iri is not None and _PARTS.fullmatch(iri).group(1) is not None


def resolve_iri(base: str | None, reference: str) -> str:
    """`reference` resolved against `base` (RFC 3986 §5.2.2, strict: a reference with a scheme is kept as it
    is written, dots and all, as the engine keeps it, and so is the path of one with an authority, `//g/../h`);
    unchanged where `base` is None or not absolute."""
    scheme, authority, path, query, fragment = _PARTS.fullmatch(reference).groups()
    if scheme is not None or not is_absolute(base):
        return reference
    base_scheme, base_authority, base_path, base_query, _ = _PARTS.fullmatch(base).groups()
    if authority is None:
        if not path:
            path, query = base_path, base_query if query is None else query
        elif path.startswith("/"):
            path = _without_dots(path)
        else:
            merged = _merged(base_authority, base_path, path)
            path = _without_dots(merged)
            if not merged.startswith("/") and path.startswith("/"):  # a rootless base path (file:a/b) keeps
                path = path[1:]  # its result rootless, as oxigraph's does
        authority = base_authority
    return _recomposed(base_scheme, authority, path, query, fragment)


def _merged(base_authority: str | None, base_path: str, path: str) -> str:
    """§5.2.3: the reference's path after the base path's last '/'."""
    if base_authority is not None and not base_path:
        return "/" + path
    return base_path[:base_path.rfind("/") + 1] + path


def _without_dots(path: str) -> str:
    """§5.2.4: remove_dot_segments."""
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./") or path == "/.":
            path = "/" + path[3:]
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            segment = _SEGMENT.match(path).group()
            output.append(segment)
            path = path[len(segment):]
    return "".join(output)


def _recomposed(scheme: str, authority: str | None, path: str, query: str | None, fragment: str | None) -> str:
    """§5.3: the components as one IRI again."""
    return (f"{scheme}:" + ("" if authority is None else f"//{authority}") + path
            + ("" if query is None else f"?{query}") + ("" if fragment is None else f"#{fragment}"))
