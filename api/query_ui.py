"""The query editor a browser gets at /sparql (YASGUI, vendored), and the completions it asks for.

Non-browser clients of /sparql see no change: the page is only the answer to a GET without a query
whose Accept prefers HTML (see api.service_description). Completion lists come from this server's
own data, never from prefix.cc or LOV.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from api.page_data import rows_per_version
from kg.namespaces import PREFIXES

bp = Blueprint("query_ui", __name__)

YASGUI = "vendor/yasgui-4.6.2"
CYTOSCAPE = "vendor/cytoscape-3.35.0"


def query_page():
    """The HTML query editor, with the server's prefixes and the example queries as named queries."""
    from api.pages import examples

    config = {"endpoint": "/sparql", "prefixes": PREFIXES, "iriBase": current_app.config["IRI_BASE"],
              "examples": [{key: e[key] for key in ("name", "title", "text", "needs", "service")}
                           for e in examples()],
              "completions": "/sparql/completions.json"}
    return render_template("query.html", config=config, examples=config["examples"],
                           yasgui=YASGUI, cytoscape=CYTOSCAPE)


MOST_COMPLETIONS = 1000  # terms of each kind the editor gets (its queries ask for one more, to tell a cut)


@bp.route("/sparql/completions.json")
def completions():
    """Classes, properties and entities of this dataset, written compactly (sahel:Claim), with labels; at most
    MOST_COMPLETIONS of each kind, `cut` naming the kinds that have more. Read once per dataset version."""
    found: dict = {"class": [], "property": [], "entity": []}
    cut = []
    for kind in found:
        terms: list[str] = []
        for row in rows_per_version(f"completion-{KINDS[kind]}"):
            term = row["term"]
            if not term.is_iri:  # a class given as a blank node (an OWL restriction): nothing to type
                continue
            if not terms or terms[-1] != term.value:  # one entry a term, with the first of its labels
                terms.append(term.value)
                found[kind].append({"text": term.short if term.short != term.value else f"<{term.value}>",
                                    "label": row["label"].value if "label" in row else None})
        if len(terms) > MOST_COMPLETIONS:
            found[kind] = found[kind][:MOST_COMPLETIONS]
            cut.append(kind)
    return jsonify({**found, "cut": cut})


KINDS = {"class": "classes", "property": "properties", "entity": "entities"}
