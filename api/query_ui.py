"""The query editor a browser gets at /sparql (YASGUI, vendored), and the completions it asks for.

Non-browser clients of /sparql see no change: the page is only the answer to a GET without a query
whose Accept prefers HTML (see api.service_description). Completion lists come from this server's
own data, never from prefix.cc or LOV.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from api.page_data import rows
from kg.namespaces import PREFIXES

bp = Blueprint("query_ui", __name__)

YASGUI = "vendor/yasgui-4.6.2"
CYTOSCAPE = "vendor/cytoscape-3.35.0"


def query_page():
    """The HTML query editor, with the server's prefixes and the example queries as named queries."""
    from api.pages import examples

    config = {"endpoint": "/sparql", "prefixes": PREFIXES, "iriBase": current_app.config["IRI_BASE"],
              "examples": [{key: e[key] for key in ("name", "title", "text", "needs")} for e in examples()],
              "completions": "/sparql/completions.json"}
    return render_template("query.html", config=config, examples=config["examples"],
                           yasgui=YASGUI, cytoscape=CYTOSCAPE)


@bp.route("/sparql/completions.json")
def completions():
    """Classes, properties and entities of this dataset, written compactly (sahel:Claim), with labels."""
    found = {"class": [], "property": [], "entity": []}
    for row in rows("completions"):
        entry = {"text": row["term"].short if row["term"].short != row["term"].value else f"<{row['term'].value}>",
                 "label": row["label"].value if "label" in row else None}
        bucket = found[row["kind"].value]
        if not bucket or bucket[-1]["text"] != entry["text"]:
            bucket.append(entry)
    return jsonify(found)
