"""Characters in what the HTML pages show that a browser drops, hides or acts on: C0 controls as Unicode's pictures
of them (NUL as U+2400), the rest kg.invisible finds (C1 controls, format characters such as bidirectional marks,
separators, tags) as the console's escapes (\\x85, \\u200b). JSON and RDF answers keep them as they are."""

from __future__ import annotations

from markupsafe import Markup

from api.query_warnings import as_uri
from kg.invisible import escaped

# C0 controls but tab and line feed, which HTML shows as white space, and DEL
PICTURES = {code: 0x2400 + code for code in range(0x20) if code not in (0x09, 0x0A)} | {0x7F: 0x2421}


def shown(value):
    """Jinja's finalize, run on every {{ }} value before it is escaped: text (a term's too, through str()) with its
    invisible characters shown; markup (a macro's output, tojson's) is made of values already shown so, and passes."""
    if value is None or isinstance(value, (Markup, bool, int, float)) or hasattr(value, "__html__"):
        return value
    return escaped(str(value).translate(PICTURES), keep="\t\n")


def install(app) -> None:
    app.jinja_env.finalize = shown
    # a link's target as a URI (every character past ASCII escaped), which shown() leaves as it is: a format
    # character an IRI may hold is shown in the link's text, never changed in where it leads
    app.jinja_env.filters["uri"] = as_uri
