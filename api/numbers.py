"""Numbers and dates in request parameters: plain ASCII decimals only, checked before any conversion.

Python's int(), float() and date.fromisoformat() read more than a client should send ("nan", "1e999",
" 5", "1_0", Arabic-Indic digits, "20240601"), and str.isdigit() passes "²", which int() then refuses.
Each such value, and a number out of range, is a 400 problem naming the parameter, never Python's message.
"""

from __future__ import annotations

import re

from api.errors import Problem
from kg.table_checks import valid_lexical

MOST_DIGITS = 18  # more than any count or number of seconds this service takes; int() of it is cheap
_WHOLE = re.compile(r"[0-9]{1,%d}" % MOST_DIGITS)
_DECIMAL = re.compile(r"[0-9]{1,%d}(?:\.[0-9]{1,%d})?|\.[0-9]{1,%d}" % (MOST_DIGITS, MOST_DIGITS, MOST_DIGITS))
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def shown(value: str) -> str:
    """The value as a problem's detail quotes it: repr, cut to 40 characters (a value may be megabytes)."""
    return repr(value) if len(value) <= 40 else repr(value[:40]) + "…"


def whole_number(value: str, name: str, *, minimum: int, maximum: int | None = None) -> int:
    """`value` as an int from `minimum` to `maximum` (inclusive; None: no upper bound), else Problem 400."""
    number = int(value) if _WHOLE.fullmatch(value) else None
    if number is None or number < minimum or (maximum is not None and number > maximum):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise Problem(400, "Bad request", f"{name} must be a whole number {bounds}, not {shown(value)}")
    return number


def seconds(value: str, name: str, *, zero_means: str | None = None) -> float:
    """`value` as a number of seconds more than 0, written as digits with an optional decimal part; with
    `zero_means` (what 0 stands for, in words), 0 too."""
    number = float(value) if _DECIMAL.fullmatch(value) else None
    if number is None or number < 0 or number == 0 and not zero_means:
        zero = f", or 0 for {zero_means}" if zero_means else ""
        raise Problem(400, "Bad duration", f"{name} must be a number of seconds more than 0{zero}, of at most "
                                          f"{MOST_DIGITS} digits on each side of its point (such as 30 or 2.5), "
                                          f"not {shown(value)}")
    return number


def date(value: str, name: str) -> str:
    """`value`, a day of the calendar written YYYY-MM-DD (xsd:date's form without a time zone), year 0000 too."""
    if _DATE.fullmatch(value) and valid_lexical("date", value):  # XSD 1.1 has a year 0, which Python's date lacks
        return value
    raise Problem(400, "Bad date", f"{name} must be a date written YYYY-MM-DD, not {shown(value)}")
