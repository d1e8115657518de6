"""What a reconciliation request may hold, checked before any matching: strings of bounded length without control
characters, and counts that are whole numbers in their range. Each fault raises ReconciliationError naming the field."""

from __future__ import annotations

import json
import re

from kg.catalogue import ReconciliationError

# Bounds on one query's work, which runs in the server process: a name is matched against every entity's names,
# and each string value against every candidate's values.
MAX_TEXT = 1000  # characters of any one string of a request (a query string, a value, an id)
MAX_VALUES_TEXT = 10_000  # characters of the string values of one query together (100 of 1,000 take ~1.5 s)
MAX_VALUES = 100  # values of all the property constraints of one query; distinct types of one query
MAX_LIMIT = 100  # candidates one query may ask for
MOST_COUNT = 2 ** 31 - 1  # the most any other count may be: what the 32-bit int of a client (OpenRefine's Java) holds

# Unicode's control characters (Cc) but tab, line feed and carriage return, which a spreadsheet cell may hold and
# which matching reads as spaces. A NUL cuts a string short in C code; the others show as nothing, or move a cursor.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_PLAIN_NAME = re.compile(r"[A-Za-z_][\w-]{0,39}", re.ASCII)
# A query's own text and its property values (and the name of an entity given as one): a spreadsheet cell's
# content, which may hold a control character (Excel's line break as U+000B, a mis-decoded U+0092) that matching
# reads as a space; refused, it would fail its whole batch, which OpenRefine then leaves unreconciled.
CELL_TEXT = re.compile(r"query|properties\[\d+\]\.v(\[\d+\])?(\.name)?")


def control_character(text: str) -> str | None:
    """The first control character of `text` and its place ("U+0000 at character 3"), or None if it has none."""
    found = _CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X} at character {found.start() + 1}"


def control_fault(text: str, field: str) -> str | None:
    """What is wrong with `text` for holding a control character, naming `field`; None if nothing."""
    found = control_character(text)
    return None if found is None else (f"{field} holds a control character ({found}); text may hold none but tab, "
                                        "line feed and carriage return")


def check_strings(document, root: str, *, cells: re.Pattern | None = None) -> None:
    """Every string of a parsed JSON `document`, member names too, within MAX_TEXT characters and without control
    characters (but those at a path `cells` matches), else ReconciliationError naming it by its path from `root`
    (`properties[0].v`)."""
    todo = [(document, root)]
    while todo:  # a loop, not recursion: JSON nests as deep as Python's own parser allows
        value, path = todo.pop()
        if isinstance(value, str):
            _check_string(value, path, controls=cells is not None and cells.fullmatch(path) is not None)
        elif isinstance(value, dict):
            for key in value:
                _check_string(key, f"the member name {_shown(key)} in {path or 'the query'}")
            todo.extend((member, _member(path, key)) for key, member in reversed(value.items()))
        elif isinstance(value, list):
            todo.extend((item, f"{path}[{index}]") for index, item in reversed(list(enumerate(value))))


def whole_json_number(value, field: str, minimum: int, maximum: int) -> int:
    """A JSON number that is a whole number from `minimum` to `maximum` (2.0 is 2), else ReconciliationError
    naming `field` and the range."""
    whole = isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float) and value.is_integer()
    if not whole or not minimum <= value <= maximum:
        raise ReconciliationError(f"{field} must be a whole number from {minimum} to {maximum}, not {_shown(value)}")
    return int(value)


def _check_string(text: str, field: str, *, controls: bool = False) -> None:
    if len(text) > MAX_TEXT:
        raise ReconciliationError(f"{field} has {len(text)} characters; the most is {MAX_TEXT}")
    fault = None if controls else control_fault(text, field)
    if fault:
        raise ReconciliationError(fault)


def _member(path: str, key: str) -> str:
    name = key if _PLAIN_NAME.fullmatch(key) else f"[{_shown(key)}]"
    return name if not path else f"{path}{name}" if name.startswith("[") else f"{path}.{name}"


def _shown(value) -> str:
    """A JSON value as a message quotes it: as JSON, cut to 40 characters (a value may be long)."""
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:40] + "…"
