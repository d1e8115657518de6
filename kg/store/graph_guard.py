"""Queries on an engine that keeps the merge in a named graph (Virtuoso): the merge read as the
default graph, graphs the store hides (the merge, the engine's own) never matched by GRAPH, and a VALUES
clause ending a query put where the engine takes it.
"""

from __future__ import annotations

import uuid

from kg.store.text_edits import Rewritten, TextEdits


def read_merge(text: str, merge: str) -> Rewritten:
    """A query whose WHERE group reads graph `merge` as its default graph: WHERE { GRAPH <merge> { ... } }
    (CONSTRUCT WHERE's short form is spelt out first). A query without a WHERE group is left as it is."""
    edits = TextEdits(text)
    sig = edits.sig
    start = next((i for i in range(len(sig)) if edits.word(i) in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
    if start is None:
        return edits.apply()
    index = start
    while index < len(sig):  # the WHERE group: the first { after the form, past a CONSTRUCT template
        if sig[index].text == "{":
            if edits.word(start) == "CONSTRUCT" and edits.word(index - 1) != "WHERE":
                index = (edits.match(index) or len(sig)) + 1
                continue
            break
        index += 1
    closing = edits.match(index) if index < len(sig) else None
    if closing is None:
        return edits.apply()
    if edits.word(start) == "CONSTRUCT" and edits.word(start + 1) == "WHERE":
        spell_out(edits, start, closing, f"GRAPH <{merge}> {{ {edits.flat_text(index + 1, closing)} }}")
        return edits.apply()
    edits.insert(sig[index].end, f" GRAPH <{merge}> {{")
    edits.insert(sig[closing].start, "} ")
    return edits.apply()


def spell_out(edits: TextEdits, start: int, closing: int, group: str) -> None:
    """CONSTRUCT WHERE { T } (its form at token `start`, the template's '}' at `closing`) as CONSTRUCT { T }
    WHERE { group }: the word WHERE blanked, so the template keeps the user's lines and columns (an engine's
    error in it is placed there), and the group written after it, on the template's last line."""
    edits.replace(edits.sig[start + 1], " " * len(edits.sig[start + 1].text))
    edits.insert(edits.sig[closing].end, f" WHERE {{ {group} }}")


_GROUPING = {"GROUP", "HAVING", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}


def values_inside(text: str) -> str:
    """A query whose VALUES clause ends it (Virtuoso takes one after a SELECT only, and there not on a variable
    left out of the projection) with that block joined to its WHERE group as `{ { group } VALUES ... }`, a WHERE
    made for a DESCRIBE without one: the same join, the group's FILTERs still blind to the block's variables
    (through a subquery where one reads them, as Virtuoso flattens nested groups); each subquery's own so too.
    A query that groups or aggregates (not a subquery of it) is left as it is, as the clause joins the groups
    there. Lines stay where they were."""
    edits = TextEdits(text)
    sig = edits.sig
    start = next((i for i in range(len(sig)) if edits.word(i) in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
    if start is None:
        return text
    _move_values(edits, start, len(sig))
    for index in range(start + 1, len(sig)):  # a subquery: `{ SELECT ... }`, its VALUES before that brace closes
        if edits.word(index) == "SELECT" and sig[index - 1].text == "{" and edits.match(index - 1) is not None:
            _move_values(edits, index, edits.match(index - 1))
    return edits.apply().text


def _move_values(edits: TextEdits, start: int, stop: int) -> None:
    """values_inside's edits for the query whose form is token `start`, ending before token `stop`."""
    sig = edits.sig
    depth, braces, openings, values = 0, 0, [], None
    for index in range(start, stop):
        if braces == 0 and edits.word(index) in _GROUPING:  # a subquery's grouping is inside a group
            return
        if depth == 0 and edits.word(index) == "VALUES":
            values = index
            break
        if depth == 0 and sig[index].text == "{":
            openings.append(index)
        depth += (sig[index].kind == "open") - (sig[index].kind == "close")
        braces += (sig[index].text == "{") - (sig[index].text == "}")
    opening = next((i for i in range(values, stop) if sig[i].text == "{"), None) if values else None
    closing = edits.match(opening) if opening is not None else None
    if closing is None:
        return
    block = edits.flat_text(values, closing + 1)
    lines = "\n" * edits.text.count("\n", sig[values].start, sig[closing].end)
    short = edits.word(start) == "CONSTRUCT" and bool(openings) and edits.word(openings[0] - 1) == "WHERE"
    if edits.word(start) == "CONSTRUCT" and not short:  # the first group is its template (WHERE may be left out)
        openings = openings[1:]
    if not openings:
        edits.replace_span(sig[values].start, sig[closing].end, f"WHERE {{ {block} }}{lines}")
        return
    group = openings[-1]
    end = edits.match(group)
    if short:  # the template stays where it was written; its flattened copy and the block make the WHERE group
        spell_out(edits, start, end, f"{edits.flat_text(group + 1, end)} {block}")
    else:
        # Virtuoso flattens nested groups, so that a FILTER would see the block's values: a subquery keeps them
        # apart where a FILTER reads one that nothing else in the group binds (only there: Virtuoso joins a
        # subquery's unbound variable, an OPTIONAL's, with nothing, and a pattern binding it is joined faster
        # unwrapped)
        filtered, named = _filtered(edits, group + 1, end)
        scoped = bool((filtered - named) & {token.text[1:] for token in sig[values:closing] if token.kind == "var"})
        edits.insert(sig[group].end, " { SELECT * WHERE {" if scoped else " {")
        edits.insert(sig[end].start, f"{'} ' if scoped else ''}}} {block} ")
    edits.replace_span(sig[values].start, sig[closing].end, lines)


def _filtered(edits: TextEdits, first: int, end: int) -> tuple[set[str], set[str]]:
    """The names of the variables among tokens [first, end) that FILTERs read (an EXISTS's pattern too), and
    of those named anywhere else."""
    read, named, index = set(), set(), first
    while index < end:
        if edits.word(index) == "FILTER":
            opening = next((i for i in range(index + 1, end) if edits.sig[i].kind == "open"), None)
            closing = min(edits.match(opening) or end, end) if opening is not None else end
            read |= {token.text[1:] for token in edits.sig[index:closing] if token.kind == "var"}  # ?x is $x
            index = closing
        elif edits.sig[index].kind == "var":
            named.add(edits.sig[index].text[1:])
        index += 1
    return read, named


def merge_dataset(text: str, merge: str, *, describe: bool) -> tuple[str, list[str] | None]:
    """A query reading graph `merge` as its default graph: its text, and the default graphs to send.

    A DESCRIBE whose text names no graph gets the merge as its dataset, which is also what its description
    reads (without one, Virtuoso describes from every graph, its own too, and only resources with a type);
    any other query has its WHERE read through GRAPH (read_merge): a dataset would leave GRAPH nothing."""
    edits = TextEdits(text)
    if describe and all(edits.word(index) != "GRAPH" for index in range(len(edits.sig))):
        return text, [merge]
    return read_merge(text, merge).text, None


def guard_graph_variables(text: str, hidden: tuple[str, ...], *, spell_out: bool = False) -> Rewritten:
    """A query whose every `GRAPH ?g { ... }` is kept from matching the `hidden` graphs, by a FILTER
    in a group around it: where the merge is a named graph, it is never one of the graphs served.
    With `spell_out`, an empty `GRAPH ?g {}` asks for the graphs that hold a triple instead."""
    edits = TextEdits(text)
    guard(edits, 0, len(edits.sig), hidden, spell_out=spell_out)
    return edits.apply()


def guard(edits: TextEdits, first: int, end: int, hidden_graphs: tuple[str, ...], *,
          spell_out: bool = False) -> None:
    """Wrap each GRAPH ?var { ... } in tokens [first, end) as { GRAPH ?var { ... } FILTER (?var NOT IN
    (hidden)) }; an empty one, where the engine enumerates nothing so, as the graphs holding a triple;
    a hidden graph named outright becomes a graph that is nowhere."""
    hidden = ", ".join(f"<{iri}>" for iri in hidden_graphs)
    for index in range(first, end):
        named = edits.sig[index + 1] if edits.word(index) == "GRAPH" and index + 1 < len(edits.sig) else None
        if named is not None and named.kind == "iri" and named.text[1:-1] in hidden_graphs:
            edits.replace(named, f"<urn:uuid:{uuid.uuid4()}>")  # a hidden graph named: a graph that is nowhere
        if edits.word(index) == "GRAPH" and index + 2 < len(edits.sig) and edits.sig[index + 1].kind == "var" \
                and edits.sig[index + 2].text == "{":
            closing = edits.match(index + 2)
            if closing is None:
                return
            variable = edits.sig[index + 1].text
            keep = f" FILTER ({variable} NOT IN ({hidden}))" if hidden else ""
            if spell_out and closing == index + 3:
                edits.replace_span(edits.sig[index].start, edits.sig[closing].end,
                                   f"{{ SELECT DISTINCT {variable} WHERE {{ GRAPH {variable} "
                                   f"{{ ?kg_s ?kg_p ?kg_o }}{keep} }} }}")
            elif keep:
                edits.insert(edits.sig[index].start, "{ ")
                edits.insert(edits.sig[closing].end, keep + " }")

