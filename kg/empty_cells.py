"""Cells a template of the mapping cannot take as they are: an empty one that would drop facts other cells of its
row give (morph-kgc makes no term from a template one of whose columns is empty, so a place whose `country` is
empty vanished with its name and coordinates), and one with spaces around it that would name a subject apart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.store.base import read_quads
from kg.table_checks import RML_REFERENCE, RR_TEMPLATE, template_columns

R2RML = "http://www.w3.org/ns/r2rml#"


@dataclass(frozen=True)
class Template:
    """A template of the mapping, what its term is (a class, or the predicate it is the value of), its columns,
    and the columns whose facts go with its term (a subject's objects)."""

    text: str
    what: str
    columns: tuple[str, ...]
    carried: tuple[str, ...] = ()
    subject: bool = False


def _name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def templates(mapping: Path) -> list[Template]:
    """Each subject template (carrying the columns its triples map's objects read) and each object template of
    more than one column."""
    value: dict = {}
    for quad in read_quads(mapping, format="turtle"):
        value.setdefault((quad.subject, quad.predicate.value), []).append(quad.object)
    found = []
    for (node, predicate), subject_maps in value.items():
        if predicate != R2RML + "subjectMap":
            continue
        carried: list[str] = []
        for pom in value.get((node, R2RML + "predicateObjectMap"), []):
            names = ", ".join(_name(term.value) for term in value.get((pom, R2RML + "predicate"), []))
            for object_map in value.get((pom, R2RML + "objectMap"), []):
                carried += [term.value for term in value.get((object_map, RML_REFERENCE.value), [])]
                for term in value.get((object_map, RR_TEMPLATE.value), []):
                    columns = tuple(dict.fromkeys(template_columns(term.value)))
                    carried += columns
                    if len(columns) > 1:
                        found.append(Template(term.value, names or "value", columns))
        for subject_map in subject_maps:
            kinds = ", ".join(_name(term.value) for term in value.get((subject_map, R2RML + "class"), []))
            for term in value.get((subject_map, RR_TEMPLATE.value), []):
                found.append(Template(term.value, kinds or "subject", tuple(dict.fromkeys(
                    template_columns(term.value))), tuple(dict.fromkeys(carried)), subject=True))
    return found


def checker(mapping: Path):
    """A function of a row's cells (by column) and its line: the terms its empty cells would leave out while
    other cells of the row give them or their facts, in words."""
    found = templates(mapping)

    def dropped(cells: dict[str, str], line: int) -> list[str]:
        problems = []
        for template in found:
            empty = [column for column in template.columns if cells.get(column) == ""]
            given = [column for column in template.carried or template.columns
                     if cells.get(column) and column not in empty]
            if empty and given:
                facts = f" with its {', '.join(given)}" if template.carried else ""
                problems.append(f"line {line} has no {' or '.join(empty)}, so its {template.what} "
                                f"\"{template.text}\" would be left out{facts}")
        padded = {column for template in found if template.subject for column in template.columns
                  if cells.get(column, "") != cells.get(column, "").strip()}
        # "FIX001 " names <…/FIX001%20>, an event apart from FIX001 of a clean export of the same table
        problems += [f"line {line} has {column} {cells[column]!r}, with spaces around it, which would name a "
                     f"subject other than {cells[column].strip()!r}" for column in sorted(padded)]
        return problems
    return dropped
