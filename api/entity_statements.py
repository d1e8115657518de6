"""The statements an entity page lists, bounded either way: at most MOST_VALUES values of one property and
MOST_SOURCES graphs stating one statement; each cut is counted, and a query for the rest goes to the editor."""

from __future__ import annotations

from pyoxigraph import BlankNode, NamedNode, Triple

from api.page_batches import terms_each
from api.page_data import editor_link, rows, terms
from kg.results import triple_term_text

MOST_VALUES = 50  # values of one property a page lists (resource-values.rq's LIMIT)
MOST_SOURCES = 20  # graphs a page lists for one statement (statement-sources.rq's LIMIT)
STATEMENT = ("direction", "subject", "property", "object")


def listed_statements(iri: str) -> tuple[list[dict], dict[tuple[str, str], int], list[dict]]:
    """resource-statements.rq's rows for the resource, bounded; the number of values of each cut property, by
    (direction, property IRI); and each cut statement's number of graphs and link to the rest ("count", "rest"),
    which its rows name by index (their ?cut)."""
    table, value_counts = _value_rows(iri)
    table, cuts = _source_rows(table)
    found = rows("resource-statements", table=(STATEMENT + ("graph", "blankOnly", "cut"), table))
    return found, value_counts, cuts


def rest_of_values(iri: str, direction: str, prop: str) -> str:
    """The editor's link to a query for every value of one property of the resource, with the graph stating each."""
    this, prop = NamedNode(iri), NamedNode(prop)
    pattern = f"{this} {prop} ?value" if direction == "out" else f"?value {prop} {this}"
    return editor_link(f"SELECT ?value ?valueLabel ?graph WHERE {{\n  GRAPH ?graph {{ {pattern} }}\n"
                   "  OPTIONAL { ?value rdfs:label ?valueLabel }\n}")


def rest_of_sources(statement: tuple) -> str:
    """The editor's link to a query for every graph stating one statement (subject, property, object terms)."""
    pattern = " ".join(triple_term_text(term) if isinstance(term, Triple) else str(term) for term in statement)
    return editor_link(f"SELECT ?graph ?graphLabel WHERE {{\n  GRAPH ?graph {{ {pattern} }}\n"
                   "  OPTIONAL { ?graph rdfs:label ?graphLabel }\n}")


def nameable(term) -> bool:
    """Whether a query can name `term` (bind it in VALUES): not a blank node, nor a triple term holding one."""
    if isinstance(term, Triple):
        return all(nameable(part) for part in (term.subject, term.predicate, term.object))
    return not isinstance(term, BlankNode)


def _value_rows(iri: str) -> tuple[list[tuple], dict[tuple[str, str], int]]:
    """Rows binding STATEMENT: each property whole where it has at most MOST_VALUES values, else that many of
    them one by one; and the count of values of each property so cut."""
    table, counts, cut = [], {}, []
    for row in rows("resource-properties", this=iri):
        direction, prop, count = row["direction"].value, NamedNode(row["property"].value), int(row["values"].value)
        ends = {"subject": NamedNode(iri)} if direction == "out" else {"object": NamedNode(iri)}
        if count <= MOST_VALUES:
            table.append((direction, ends.get("subject"), prop, ends.get("object")))
            continue
        counts[(direction, prop.value)] = count
        cut.append((direction, {"property": prop, **ends}))
    for (direction, bindings), values in zip(cut, terms_each("resource-values", [ends for _, ends in cut])):
        table += [(direction, value["subject"], bindings["property"], value["object"])
                  for value in values if nameable(value["subject"]) and nameable(value["object"])]
    return sorted(table, key=lambda row: tuple(str(term) for term in row)), counts


def _source_rows(table: list[tuple]) -> tuple[list[tuple], list[dict]]:
    """The rows with (graph, blankOnly, cut) added: a property with a statement stated in more than MOST_SOURCES
    graphs is bound statement by statement, that one to MOST_SOURCES of its graphs (a blank node, which no query
    can name, by a row for the property's blank values); the others are left as they were. And each cut statement's
    count and link to the rest, by the index its rows' cut holds."""
    counted = terms("statement-graphs", table=(STATEMENT, table))
    split = {(row["direction"].value, row["property"].value) for row in counted
             if int(row["graphs"].value) > MOST_SOURCES}
    # a triple term holding a blank node can be neither bound nor told apart in SPARQL 1.1: its property stays whole
    split -= {(row["direction"].value, row["property"].value) for row in counted
              if isinstance(_value(row), Triple) and not nameable(_value(row))}
    bounded = [row + (None, None, None) for row in table if (row[0], row[2].value) not in split]
    cuts, blank, cut_rows = [], set(), []
    for row in counted:
        direction, subject, prop, obj = (row[name] for name in STATEMENT)
        count = int(row["graphs"].value)
        if (direction.value, prop.value) not in split:
            continue
        if isinstance(subject if direction.value == "in" else obj, BlankNode):
            blank.add((direction.value, subject if direction.value == "out" else None, prop,
                       obj if direction.value == "in" else None))
        elif count <= MOST_SOURCES:
            bounded.append((direction.value, subject, prop, obj, None, None, None))
        else:
            cuts.append({"count": count, "rest": rest_of_sources((subject, prop, obj))})
            cut_rows.append((direction.value, subject, prop, obj))
    sources = terms_each("statement-sources", [dict(zip(STATEMENT[1:], row[1:])) for row in cut_rows])
    for index, (row, graphs) in enumerate(zip(cut_rows, sources)):
        bounded += [row + (source["graph"], None, index) for source in graphs]
    return bounded + [row + (None, True, None) for row in sorted(blank, key=str)], cuts


def _value(row: dict):
    """The other end of a counted statement: its subject for an incoming one, else its object."""
    return row["subject"] if row["direction"].value == "in" else row["object"]
