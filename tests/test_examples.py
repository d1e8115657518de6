"""Examples that do what they say: every binding an example's comments promise works, with and without it.

An example says which variables may be bound when it runs with a line `# binding: ?name default VALUE;
also VALUE ...` (VALUEs in SPARQL syntax, the default written in the query): unbound, it answers as with
its default; bound to another value, as with that value written in the query instead. A description that
tells the reader to bind a variable must declare it so.
"""

from __future__ import annotations

import re

import pytest

from kg.bindings import parse_term
from kg.namespaces import PREFIXES
from kg.paths import QUERIES_DIR
from kg.publish import install
from kg.query import QueryService
from kg.store import open_store

BINDING = re.compile(r"^#\s*binding:\s*\?(\w+)\s+default\s+(\S+)(?:;\s*also\s+(.*))?$", re.M)


def examples() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(QUERIES_DIR.glob("*.rq"))}


def promised(text: str) -> list[tuple[str, str, list[str]]]:
    """(variable, default, other values) for each `# binding:` line."""
    return [(name, default, (also or "").split()) for name, default, also in BINDING.findall(text)]


CASES = [(name, variable, default, also) for name, text in examples().items()
         for variable, default, also in promised(text)]


@pytest.fixture(scope="module")
def service():
    with open_store("memory:") as store:
        install(store)
        yield QueryService(store)


def answer(service, text: str, bindings: dict | None = None) -> list[tuple]:
    return [tuple(None if term is None else str(term) for term in row) for row in service.query(text, bindings=bindings).rows]


def test_some_example_promises_a_binding():
    assert CASES, "no example declares a binding; held-as-of.rq promises ?asOf"


@pytest.mark.parametrize("name, variable, default, also", CASES)
def test_every_promised_binding_works_with_and_without_it(service, name, variable, default, also):
    """Bound to its default, an example answers as unbound; bound to another value, as it would with that
    value written in place of the default; and some value changes the answer (else the test proves nothing)."""
    text = examples()[name]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert re.search(rf"[?$]{variable}\b", body), f"{name}: ?{variable} is not in the query"
    assert default in body, f"{name}: the default {default} is not in the query"
    unbound = answer(service, text)
    assert answer(service, text, {variable: parse_term(default, PREFIXES)}) == unbound
    answers = [answer(service, text, {variable: parse_term(value, PREFIXES)}) for value in also]
    assert answers == [answer(service, body.replace(default, value)) for value in also], \
        f"{name}: a bound ?{variable} does not answer as the value written in the query would"
    assert any(bound != unbound for bound in answers), f"{name}: no value of ?{variable} changes the answer"


@pytest.mark.parametrize("name", sorted(examples()))
def test_a_description_that_says_bind_declares_the_binding(name):
    text = examples()[name]
    told = set(re.findall(r"\bbind(?:ing)?\s+\?(\w+)", text, re.I))
    assert told <= {variable for variable, _, _ in promised(text)}, \
        f"{name} tells the reader to bind {told} but has no `# binding:` line for it"


def test_an_example_that_needs_other_data_says_so_when_it_finds_nothing():
    """kg query -f of an example whose `# needs:` asks for data beside the article answered 0 rows without a word
    (helper-204); it now says what the example needs."""
    from build_fixtures import run_kg

    done = run_kg("query", "--store", "memory:", "--format", "csv", "-f", str(QUERIES_DIR / "event-name-links.rq"))
    assert done.exit_code == 0 and "note: this query needs conflict events loaded" in done.stderr, done.stderr
    found = run_kg("query", "--store", "memory:", "--format", "csv", "-f", str(QUERIES_DIR / "aes-members.rq"))
    assert "note:" not in found.stderr
