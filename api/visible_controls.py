"""Control characters in what the HTML pages show, as Unicode's pictures of them (NUL as U+2400): a browser drops
or hides them, so the text shown would differ from the data. JSON and RDF answers keep them as they are."""

from __future__ import annotations

from markupsafe import Markup

# C0 controls but tab and line feed, which HTML shows as white space, and DEL
PICTURES = {code: 0x2400 + code for code in range(0x20) if code not in (0x09, 0x0A)} | {0x7F: 0x2421}


def shown(value):
    """Jinja's finalize, run on every {{ }} value before it is escaped: text (a term's too, through str()) with its
    controls made pictures; markup (a macro's output, tojson's) is made of values already shown so, and passes."""
    if value is None or isinstance(value, (Markup, bool, int, float)) or hasattr(value, "__html__"):
        return value
    return str(value).translate(PICTURES)


def install(app) -> None:
    app.jinja_env.finalize = shown
