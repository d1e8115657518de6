"""The spellings of one IRI that a decoded request path may stand for (RFC 3987 §5.3.2.3, RFC 3986 §6.2.2):
the server gets the path percent-decoded, so an IRI minted with escapes is found by looking up, as exact IRIs,
a bounded list of the ways it may be written. A request's cost never grows with the store."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product
from urllib.parse import quote

# What an IRI's path holds as it is (RFC 3987's ipchar but '%', and '/'), with any character past ASCII.
IRI_KEEPS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/")
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")  # no IRI escapes
_SLASHED = 3  # how many of a path's last '/' may stand for an escaped '/' (%2F) of its last segment
MOST = 80  # the most spellings one path is looked up as (in one query)
_MIXED = 4  # up to this many characters past ASCII, each is tried both as it is and escaped
_SENT_SLASH = re.compile("(%2[Ff])")
_ESCAPE = re.compile("%[0-9A-F]{2}")


def spellings(path: str) -> list[str]:
    """`path` itself, then the other spellings of the IRI it names (its dot segments read as dots, then
    `escaped_forms` and `mixed_forms` of each of those), at most MOST in all."""
    read = [path, *_dots(path)]  # an IRI minted with escapes may hold a dot segment too (x%C3%A9/./y)
    escaped = [form for each in read for form in escaped_forms(each)]
    return list(dict.fromkeys([*read, *escaped, *(form for each in read for form in mixed_forms(each))]))[:MOST]


_DOTS = re.compile("(?<![^/])(?:%2[Ee]){1,2}(?![^/])")
_DOTTED = 4  # up to this many such segments, each is tried both as dots and as it is


def _dots(path: str) -> list[str]:
    """`path` with its segments of one or two %2E as the dots pages send so (page_data: a browser would remove a
    '.' or '..' segment, and the one before it, from the link): all of them, then each mix with ones kept as
    they are (an IRI may hold both, x/%2E/b/./c)."""
    found = list(_DOTS.finditer(path))
    if not found:
        return []
    if len(found) > _DOTTED:
        return [_DOTS.sub(lambda match: "." * (len(match.group()) // 3), path)]
    forms = []
    for choice in product((True, False), repeat=len(found)):
        pieces, start = [], 0
        for match, as_dots in zip(found, choice):
            pieces += [path[start:match.start()], "." * (len(match.group()) // 3) if as_dots else match.group()]
            start = match.end()
        forms.append("".join(pieces) + path[start:])
    return forms


@lru_cache(maxsize=8192)
def found_by(spelling: str, path: str) -> bool:
    """Whether `spelling` is among `spellings(path)`, the commonest forms looked at first (pages ask this of every
    IRI they link, the same ones again and again: kept)."""
    if spelling == path or spelling in escaped_forms(path):
        return True
    return spelling in spellings(path)


def escaped_forms(path: str) -> list[str]:
    """The commonest spellings an IRI minted with escapes has for a decoded path, other than the path itself:
    what the IRI writes as it is: only what an IRI cannot hold escaped; that and any character past ASCII;
    each segment escaped whole but for letters, digits and `-._~` (kg/links.py's alias labels), and the same
    with the last one to three `/` escaped within the last segment (an alias holding a `/`). A path holding '#'
    may name a hash IRI (an ontology term): its fragment is spelt in the same ways after the '#'."""
    if all(ch in UNRESERVED for ch in path):
        return []
    forms = _forms(path, first=1)
    if "#" in path:
        head, _, fragment = path.partition("#")
        forms += [f"{head}#{form}" for form in _forms(fragment, first=0)]
    return [form for form in dict.fromkeys(forms) if form != path]


def mixed_forms(path: str) -> list[str]:
    """Spellings that escape some characters past ASCII and not others (an IRI put together from parts escaped
    apart), with the other ASCII characters an IRI may hold kept or escaped, and their lowercase-hex twins. Each
    of the first _MIXED characters past ASCII is tried both ways; any after them as the one before them is.
    An ASCII letter, digit or `-._~` written escaped (`%41` for `A`) is not tried."""
    if all(ch in UNRESERVED for ch in path):
        return []
    pieces: list[str] = []  # one character each, but a %2F sent as such
    for index, part in enumerate(_SENT_SLASH.split(path)):
        pieces += [part] if index % 2 else list(part)
    wide = [index for index, piece in enumerate(pieces) if len(piece) == 1 and ord(piece) > 127]
    choices = product((True, False), repeat=min(len(wide), _MIXED))
    forms = []
    for raw_reserved, chosen in product((True, False), choices):
        kept = dict(zip(wide, chosen + (chosen[-1:] or (True,)) * (len(wide) - len(chosen))))
        forms.append("".join(piece if len(piece) > 1 or piece in UNRESERVED or kept.get(index)
                             or (raw_reserved and piece in IRI_KEEPS) else quote(piece, safe="")
                             for index, piece in enumerate(pieces)))
    forms += [_ESCAPE.sub(lambda found: found.group().lower(), form) for form in forms]
    return [form for form in dict.fromkeys(forms) if form != path]


def _forms(path: str, *, first: int) -> list[str]:
    """escaped_forms' spellings of `path`, the segments before `first` never taken into an escaped last one."""
    segments = path.split("/")
    last = len(segments) - 1
    cuts = [last - back for back in range(_SLASHED + 1) if back == 0 or last - back >= first]
    return [_escaped(path, lambda ch: ch in IRI_KEEPS or ord(ch) > 127),
            _escaped(path, lambda ch: ch in IRI_KEEPS),
            *("/".join([_whole(part) for part in segments[:cut]] + [_whole("/".join(segments[cut:]))])
              for cut in dict.fromkeys(cuts))]


def _escaped(text: str, keeps) -> str:
    """`text` with every character `keeps` refuses percent-encoded (its UTF-8 bytes, uppercase hex), but a
    "%2F" kept as it is: pages link an IRI's own %2F as %252F (page_data.local_path), which reaches us so."""
    return "".join(piece if index % 2 else "".join(ch if keeps(ch) else quote(ch, safe="") for ch in piece)
                   for index, piece in enumerate(_SENT_SLASH.split(text)))


def _whole(segment: str) -> str:
    """`segment` escaped as quote(safe="") escapes it, but a "%2F" that arrived as such kept."""
    return _escaped(segment, lambda ch: ch in UNRESERVED and ch != "/")
