"""The parameters of /reconcile and its services, read before any work is charged: each given once, UTF-8, without
control characters, at most MAX_TEXT characters but for the JSON documents; a text one given empty or blank, as a form sends a field left empty, is as if not given."""

from __future__ import annotations

import json
import re
import sys

from flask import g

from api.errors import Problem
from api.numbers import whole_number
from api.params import request_params, unique
from kg.reconciliation_input import MAX_TEXT, MOST_COUNT, control_fault

CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")  # a JSONP function name, nothing else
# Words JavaScript reserves (ECMAScript 2024 §12.7.2, with the literals; `this.f` is a call): none starts a function
# name, so `/**/new(…)` or `/**/function(…)` would be a script that fails to parse, not a call (`a.new` is one)
RESERVED = frozenset("await break case catch class const continue debugger default delete do else enum export extends "
                     "false finally for function if import in instanceof new null return super switch throw true "
                     "try typeof var void while with yield".split())

JSON_PARAMETERS = ("queries", "extend")  # documents, whose strings kg.reconciliation_input bounds one by one


def params() -> dict[str, str]:
    """Query-string and form parameters (callback= a function name), read once per request (replies ask again)."""
    if "reconcile_params" in g:
        return g.reconcile_params
    found = unique(request_params())
    for name, value in found.items():
        if name in JSON_PARAMETERS:  # JSON takes no raw C0 control; its strings are checked each in its place
            continue
        if len(value) > MAX_TEXT:
            raise Problem(400, "Bad request", f"{name} has {len(value)} characters; the most is {MAX_TEXT}")
        fault = control_fault(value, name)
        if fault:
            raise Problem(400, "Bad request", fault)
    if "callback" in found and not found["callback"].strip():  # a form's field left empty: no callback, as elsewhere
        del found["callback"]
    if "callback" in found and (not CALLBACK.fullmatch(found["callback"])
                                or found["callback"].split(".", 1)[0] in RESERVED):
        raise Problem(400, "Bad callback", "callback must be a JavaScript function name")
    g.reconcile_params = found
    return found


def filled(given: dict, name: str) -> str | None:
    """A text parameter's value, or None when it is not given, or given empty or blank (`type=%20`)."""
    value = given.get(name)
    return value if value is not None and value.strip() else None


def json_parameter(given: dict, name: str):
    """A parameter read as JSON (RFC 8259: no NaN, no name twice in an object), or 400 saying where it fails."""
    def not_json(constant: str):  # Python's json reads NaN and Infinity, which RFC 8259 has no place for
        raise Problem(400, "Malformed JSON", f"{name} is not JSON: {constant} is not a JSON number")

    def unique_names(pairs):  # RFC 8259 §4: names SHOULD be unique; Python keeps the last, silently dropping a query
        found = {}
        for key, value in pairs:
            if key in found:
                raise Problem(400, "Malformed JSON", f"{name} names {json.dumps(key)} twice in one object")
            found[key] = value
        return found

    try:
        document = json.loads(given[name], parse_constant=not_json, object_pairs_hook=unique_names)
        json.dumps(document, ensure_ascii=False).encode()  # what is echoed (a batch's keys) must encode
        return document
    except UnicodeEncodeError:
        raise Problem(400, "Malformed JSON", f"{name} holds a lone surrogate (an escape such as \\ud800 outside "
                      "a pair), which is no Unicode text") from None
    except json.JSONDecodeError as error:
        raise Problem(400, "Malformed JSON", f"{name} is not JSON: {error.msg}", line=error.lineno,
                      column=error.colno) from None
    except RecursionError:
        raise Problem(400, "Malformed JSON", f"{name} nests too deeply") from None
    except ValueError:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        raise Problem(400, "Bad request", f"{name} holds a number of more than {sys.get_int_max_str_digits()} "
                      "digits, more than this service reads") from None


def prefix(given: dict) -> str:
    """The prefix= a suggest service completes (required; empty or blank, it suggests nothing)."""
    if "prefix" not in given:
        raise Problem(400, "Missing prefix", "give the prefix= to complete")
    return given["prefix"]


def cursor(given: dict) -> int:
    return count(given, "cursor", minimum=0) or 0


def count(given: dict, name: str, *, minimum: int) -> int | None:
    """A whole number, strict as every number a route reads: given empty or blank, it is 400 naming it."""
    value = given.get(name)
    return None if value is None else whole_number(value, name, minimum=minimum, maximum=MOST_COUNT)
