"""The ontology's documentation page, generated from the graph that holds the ontology: its classes and
properties with their hierarchy, domains and ranges, the vocabularies it reuses, its SKOS code lists.

Each term of the ontology's namespace has an anchor of its local name, so `…/ontology#Claim`
resolves to its place here; reused terms are anchored as prefix-local (`skos-Concept`).
"""

from __future__ import annotations

from collections import OrderedDict

from flask import render_template

from api.page_data import Term, compact, first, rows

KINDS = OrderedDict([("http://www.w3.org/2002/07/owl#Class", "Classes"),
                     ("http://www.w3.org/2002/07/owl#ObjectProperty", "Object properties"),
                     ("http://www.w3.org/2002/07/owl#DatatypeProperty", "Datatype properties"),
                     ("http://www.w3.org/2002/07/owl#AnnotationProperty", "Annotation properties")])


def ontology_page(iri: str):
    """Render the documentation of the ontology `iri`."""
    header = rows("ontology-header", this=iri)
    namespace = first(header, "namespace")
    namespace = namespace.value if namespace else iri + "#"
    terms: dict[str, dict] = OrderedDict()
    for row in rows("ontology-terms", this=iri):
        term = terms.setdefault(row["term"].value, {
            "term": row["term"], "kinds": [], "label": row.get("label"), "definition": row.get("definition"),
            "parents": [], "domains": [], "ranges": [], "characteristics": [], "children": [],
            "anchor": anchor(row["term"].value, namespace)})
        for key, var in (("kinds", "kind"), ("parents", "parent"), ("domains", "domain"), ("ranges", "range"),
                         ("characteristics", "characteristic")):
            if var in row and row[var].value not in [known.value for known in term[key]]:
                term[key].append(row[var])
    for term in terms.values():
        for parent in term["parents"]:
            if parent.value in terms:
                terms[parent.value]["children"].append(term)
    own = {key: [] for key in KINDS}
    reused: dict[str, list] = OrderedDict()
    for key, term in terms.items():
        if key.startswith(namespace):
            for kind in term["kinds"]:
                own[kind.value].append(term)
        else:
            reused.setdefault(_namespace_of(key), []).append(term)
    roots = [term for term in own[next(iter(KINDS))] if not any(p.value.startswith(namespace) for p in term["parents"])]
    schemes: dict[str, dict] = OrderedDict()
    for row in rows("ontology-code-lists", this=iri):
        scheme = schemes.setdefault(row["scheme"].value, {"scheme": row["scheme"], "label": row.get("schemeLabel"),
                                                          "anchor": anchor(row["scheme"].value, namespace),
                                                          "concepts": OrderedDict()})
        if "concept" in row:
            concept = scheme["concepts"].setdefault(row["concept"].value, {
                "concept": row["concept"], "label": row.get("conceptLabel"), "definition": row.get("definition"),
                "notation": row.get("notation"), "matches": [], "anchor": anchor(row["concept"].value, namespace)})
            if "match" in row and row["match"] not in concept["matches"]:
                concept["matches"].append(row["match"])
    summary = rows("resource-summary", this=iri)
    return render_template("ontology.html", iri=iri, header=header[0] if header else {}, summary=summary,
                           title=first([r for r in summary if r["kind"].value == "label"], "value"),
                           namespace=namespace, kinds=KINDS, own=own, roots=roots, reused=reused, schemes=schemes)


def anchor(iri: str, namespace: str) -> str:
    """The id of a term's section: its local name in the ontology's namespace, else prefix-local."""
    if iri.startswith(namespace):
        return iri[len(namespace):]
    return compact(iri).replace(":", "-")


def _namespace_of(iri: str) -> str:
    short = compact(iri)
    if short != iri:
        return short.split(":", 1)[0]
    return iri.rsplit("#", 1)[0] + "#" if "#" in iri else iri.rsplit("/", 1)[0] + "/"


def term_label(term: dict) -> str:
    label: Term | None = term.get("label")
    return label.value if label else compact(term["term"].value)
