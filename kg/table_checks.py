"""A table checked before and after its RML mapping runs: it is UTF-8, the columns the mapping reads are all
there, every row has the header's fields and its own event identifier (none empty, none twice), and every
value the mapping typed (xsd:date, xsd:nonNegativeInteger, ...) is a valid value of its type.
Any failing refuses the whole table, so that a load writes all of it or nothing."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox

from kg.errors import SourceError
from kg.store.base import read_quads
from kg.waiting_input import GZIP_MAGIC

RML_REFERENCE = ox.NamedNode("http://semweb.mmlab.be/ns/rml#reference")
RR_TEMPLATE = ox.NamedNode("http://www.w3.org/ns/r2rml#template")
RR_SUBJECT_MAP = ox.NamedNode("http://www.w3.org/ns/r2rml#subjectMap")
RR_CLASS = ox.NamedNode("http://www.w3.org/ns/r2rml#class")
CONFLICT_EVENT = ox.NamedNode("https://sahel-kg.example.org/ontology#ConflictEvent")
XSD = "http://www.w3.org/2001/XMLSchema#"
_TIMEZONE = r"(Z|[+-]\d{2}:\d{2})?"
_YEAR = r"-?([1-9]\d{3,}|0\d{3})"  # four digits or more, no leading zero past four (XSD 1.1's yearFrag)
# The lexical space of each XSD datatype the mappings use (XML Schema 1.1 Part 2, §3.3); ASCII digits only
# (Python's \d also matches ٣ and other digits).
LEXICAL = {
    "date": re.compile(_YEAR + r"-\d{2}-\d{2}" + _TIMEZONE, re.ASCII),
    "dateTime": re.compile(_YEAR + r"-\d{2}-\d{2}T(([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?|24:00:00(\.0+)?)"
                           + _TIMEZONE, re.ASCII),
    "gYear": re.compile(_YEAR + _TIMEZONE, re.ASCII),
    "integer": re.compile(r"[+-]?\d+", re.ASCII),
    "nonNegativeInteger": re.compile(r"\+?\d+|-0+", re.ASCII),
    "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII),
    "boolean": re.compile(r"true|false|1|0", re.ASCII),
}
SHOWN = 5  # bad values named in the error; the rest are counted


def mapping_columns(mapping: Path) -> set[str]:
    """The columns an RML mapping reads: its rml:reference values and the {names} in its rr:templates."""
    columns = set()
    for quad in read_quads(mapping, format="turtle"):
        if quad.predicate == RML_REFERENCE:
            columns.add(quad.object.value)
        elif quad.predicate == RR_TEMPLATE:
            columns.update(template_columns(quad.object.value))
    return columns


def template_columns(template: str) -> list[str]:
    return re.findall(r"(?<!\\)\{((?:[^{}\\]|\\.)+)\}", template)


def event_key_columns(mapping: Path) -> list[str]:
    """The columns that name an event: those of the template of the subject map whose class is ConflictEvent."""
    quads = list(read_quads(mapping, format="turtle"))
    events = {q.subject for q in quads if q.predicate == RR_CLASS and q.object == CONFLICT_EVENT}
    return sorted({column for q in quads if q.subject in events and q.predicate == RR_TEMPLATE
                   for column in template_columns(q.object.value)})


def row_problems(table: Path, mapping: Path, more=None) -> list[str]:
    """Rows whose fields are not the header's number, or whose event identifier is empty or came before:
    morph-kgc would load the first as a partial event, drop the second silently and merge the third; a `year`
    that is not that of `event_date`; and what `more(cells, line)` finds in a row of its own event."""
    keys = event_key_columns(mapping)
    problems, seen = [], {}
    with open(table, newline="", encoding="utf-8-sig") as handle:
        reader = _CsvRows(handle, table)
        header = [name.strip() for name in next(reader, [])]
        places = [header.index(key) for key in keys if key in header]
        for row in reader:
            if not row:
                continue
            line = reader.line_num
            if len(row) != len(header):
                problems.append(f"line {line} has {len(row)} fields where the header has {len(header)}")
                continue
            if not keys:  # a mapping that names its events otherwise: only the fields are counted
                continue
            key = tuple(row[place].strip() for place in places)
            if not all(key):
                problems.append(f"line {line} has no {' or '.join(keys)}")
            elif key in seen:
                problems.append(f"line {line} repeats the event {' '.join(key)} of line {seen[key]}")
            else:
                seen[key] = line
                cells = dict(zip(header, row))
                problems += restated_year(cells, line) + (more(cells, line) if more else [])
    return problems


def restated_year(cells: dict[str, str], line: int) -> list[str]:
    """ACLED's `year` restates `event_date`'s year; a table where the two disagree holds a slip in one of them,
    and no mapping reads `year`, so nothing else would see it."""
    year, day = cells.get("year", "").strip(), cells.get("event_date", "").strip()
    found = re.match(r"(-?\d{4,})-", day, re.ASCII) if valid_lexical("date", day) else None  # else ill_typed says
    if year and found and year.lstrip("+") != found.group(1):
        return [f"line {line} has year {year!r}, but its event_date {day} is of {found.group(1)}"]
    return []


class _CsvRows:
    """The rows of a CSV file as csv.reader gives them, its faults (a field past csv's limit of 131072 characters)
    raised as SourceError with their line: csv.Error ended kg events load in a traceback."""

    def __init__(self, handle, table: Path):
        self.reader, self.table = csv.reader(handle), table

    @property
    def line_num(self) -> int:
        return self.reader.line_num

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        try:
            return next(self.reader)
        except csv.Error as error:
            raise SourceError(f"cannot be read as CSV: {error} (nothing was loaded)", path=str(self.table),
                              line=self.reader.line_num) from None


def require_utf8(table: Path) -> None:
    """Raise SourceError at the table's first byte that is not UTF-8 text (not UTF-8, or NUL), with its line and
    column."""
    number = 0
    with open(table, "rb") as handle:
        for chunk in handle:  # no UTF-8 character holds a CR or LF byte
            # Lines end in LF, CR LF or, in a classic Mac table ("CSV (Macintosh)"), CR alone.
            for line in chunk.rstrip(b"\n").removesuffix(b"\r").split(b"\r"):
                number += 1
                try:
                    line.decode("utf-8")
                    start = line.index(b"\0")  # morph-kgc drops a value holding one, silently (a date, say)
                except UnicodeDecodeError as error:
                    start = error.start
                except ValueError:
                    continue
                if number == 1 and line.startswith(GZIP_MAGIC):
                    raise SourceError("is gzipped: unpack it (gunzip) and load the table (nothing was loaded)",
                                      path=str(table))
                fix = "a NUL, which no table's text holds: remove it and load the table" if line[start] == 0 else \
                    "not UTF-8 text; save the table as UTF-8 and load it"
                raise SourceError(f"byte 0x{line[start]:02X} is {fix} again (nothing was loaded)",
                                  path=str(table), line=number, column=len(line[:start].decode("utf-8")) + 1)


def missing_columns(table: Path, mapping: Path) -> list[str]:
    """The mapping's columns that the CSV file's header row lacks, sorted; one there only with spaces around its
    name is said so (morph-kgc reads ' event_date ' as another column, and failed on it in pandas' words)."""
    with open(table, newline="", encoding="utf-8-sig", errors="replace") as handle:
        header = next(_CsvRows(handle, table), [])
    padded = {name.strip(): name for name in header if name != name.strip()}
    return [f"{name} (the header has {padded[name]!r}, with spaces around it)" if name in padded else name
            for name in sorted(mapping_columns(mapping) - set(header))]


def other_delimiter(table: Path) -> str:
    """What to add where another delimiter (`;`, TAB or `|`, as spreadsheets in many locales save CSV) splits the
    header row into more columns than the comma does: the table must be comma-separated. Else ''."""
    with open(table, newline="", encoding="utf-8-sig", errors="replace") as handle:
        first = handle.readline()
    # Each delimiter's columns, quotes read ("Ouagadougou, BF";… holds a comma that splits nothing): another
    # that makes more columns than the comma is the table's
    columns = {mark: len(next(csv.reader([first], delimiter=mark), [])) for mark in (",", ";", "\t", "|")}
    found = max((";", "\t", "|"), key=lambda mark: columns[mark])
    if columns[found] <= max(columns[","], 1):
        return ""
    named = {";": "semicolons", "\t": "tabs", "|": "bars"}
    return f"; its header is split by {named[found]}, not commas: save the table as comma-separated CSV"


def ill_typed(triples: list[ox.Triple]) -> list[str]:
    """Each literal whose lexical form is not a value of its XSD datatype, as `<subject> <predicate> "value"
    is not an xsd:TYPE`."""
    return [f'{triple.subject} {triple.predicate} "{triple.object.value}" is not an xsd:{kind}'
            for triple in triples if (kind := misfit(triple.object))]


def misfit(term) -> str | None:
    """The XSD type (of LEXICAL) a pyoxigraph literal's lexical form is not a value of, else None."""
    if not isinstance(term, ox.Literal) or not term.datatype.value.startswith(XSD):
        return None
    kind = term.datatype.value[len(XSD):]
    return kind if kind in LEXICAL and not valid_lexical(kind, term.value) else None


def valid_lexical(kind: str, text: str) -> bool:
    """Whether `text` is in the lexical space of xsd:`kind` (one of LEXICAL), and a real day for a date."""
    if not LEXICAL[kind].fullmatch(text):
        return False
    if kind in ("date", "dateTime"):  # a real day of the calendar (2024-02-30 is not), in any year
        year, month, day = (int(part) for part in re.match(r"(-?\d+)-(\d+)-(\d+)", text).groups())
        return 1 <= month <= 12 and 1 <= day <= days_in_month(year, month)
    return True


def days_in_month(year: int, month: int) -> int:
    """The days of `month` in `year` of XSD 1.1's proleptic Gregorian calendar, which has a year 0 (1 BCE, a leap
    year); Python's date stops at year 1, so 0000-01-01 was refused and negative years went unchecked."""
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]


def describe(problems: list[str]) -> str:
    """The first SHOWN problems, and how many more."""
    more = len(problems) - SHOWN
    return "; ".join(problems[:SHOWN]) + (f"; and {more} more" if more > 0 else "")
