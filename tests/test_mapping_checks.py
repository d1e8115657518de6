"""A mapping that is no RML mapping morph-kgc can run is refused in words before it runs (kg/mapping_checks.py),
and where a child process (morph-kgc, Java, a preparer) still fails, one line tells why: never its traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_fixtures import run_kg
from test_events import require_morph_kgc
from kg.child import failure_line
from kg.errors import SourceError
from kg.events import DEFAULT_MAPPING
from kg.mapping_checks import check_mapping

FIXTURE = Path(__file__).parent / "fixtures" / "acled-style-events-FIXTURE.csv"
TRACE = ("Traceback", 'File "', "pandas", "\n", " | ")


def edited(tmp_path, old: str, new: str) -> Path:
    text = DEFAULT_MAPPING.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "edited.rml.ttl"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_valid_turtle_that_is_no_mapping_is_refused_in_words(tmp_path):
    require_morph_kgc()
    data = tmp_path / "good.ttl"
    data.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    result = run_kg("events", "load", FIXTURE, "--mapping", data, "--graph", "http://example.org/g/ev",
                    "--store", "memory:")
    assert result.exit_code == 1
    assert result.stderr == (f"error: {data}: not an RML mapping: it holds no triples map (an rr:TriplesMap "
                             "with an rml:logicalSource and an rr:subjectMap)\n")


@pytest.mark.parametrize("old, new, said", [
    ('rr:objectMap [ rml:reference "actor1" ]', "", "a predicate-object map of <https://sahel-kg.example.org/"
     "mapping/acled-events#Actor1> has no object map (rr:objectMap)"),
    ("rml:logicalSource :events ;", "", "the triples map <https://sahel-kg.example.org/mapping/acled-events#Actor1>"
     " has no logical source (rml:logicalSource); the triples map"),
    ('rr:template "https://sahel-kg.example.org/name/acled/country/{country}" ;', "", "the subject map of "
     "<https://sahel-kg.example.org/mapping/acled-events#Country> has no rr:template, rr:constant or rml:reference"),
    ("rr:predicate rdfs:label ; rr:objectMap [ rml:reference \"country\" ]", "rr:objectMap [ rml:reference "
     "\"country\" ]", "a predicate-object map of <https://sahel-kg.example.org/mapping/acled-events#Country> has "
     "no predicate (rr:predicate)"),
], ids=["object map", "logical source", "subject term", "predicate"])
def test_a_mapping_lacking_a_part_is_refused_naming_it(tmp_path, old, new, said):
    with pytest.raises(SourceError) as caught:
        check_mapping(edited(tmp_path, old, new))
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'edited.rml.ttl'}: not an RML mapping morph-kgc can run: ")
    assert said in message and not any(sign in message for sign in TRACE)


def test_the_shipped_mapping_passes():
    check_mapping(DEFAULT_MAPPING)


def test_where_morph_kgc_fails_its_last_exception_line_alone_is_told(tmp_path):
    require_morph_kgc()
    mapping = edited(tmp_path, 'rml:source "events.csv"', 'rml:source "nowhere.csv"')
    result = run_kg("events", "load", FIXTURE, "--mapping", mapping, "--store", "memory:")
    assert result.exit_code == 1
    assert result.stderr == (f"error: {FIXTURE}: morph-kgc could not run the mapping edited.rml.ttl: "
                             "FileNotFoundError: [Errno 2] No such file or directory: 'nowhere.csv'\n")


PYTHON = """Traceback (most recent call last):
  File "/x/site-packages/pandas/core/indexes/base.py", line 3819, in get_loc
    raise KeyError(key) from err
KeyError: 'object_map'
"""
JAVA = """Exception in thread "main" org.semanticweb.owlapi.io.OWLParserException: bad input
\tat org.semanticweb.owlapi.Main.parse(Main.java:10)
Caused by: java.io.IOException: disk full
\tat java.base/java.io.FileInputStream.read(FileInputStream.java:3)
"""


@pytest.mark.parametrize("stderr, line", [
    (PYTHON, "KeyError: 'object_map'"), (JAVA, "IOException: disk full"),
    ("", "nothing said"), ("ERROR: ld.so: cannot open\n", "ERROR: ld.so: cannot open"),
    ("x" * 400, "x" * 299 + "…"),
])
def test_a_childs_failure_is_one_line_without_its_traceback(stderr, line):
    assert failure_line(stderr, "nothing said") == line
