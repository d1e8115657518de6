"""Names that look like a setting's and are not: a SAHEL_KG_ environment variable no setting reads (a typo such
as SAHEL_KG_QUERY_TIMOUT, silently ignored otherwise) or a configuration's key, and the setting each is likeliest
a slip for."""

from __future__ import annotations

from kg.errors import shown_text

# SAHEL_KG_ variables read outside the settings: the data home, morph-kgc's Python, the test suite's services.
OTHER_VARIABLES = ("HOME", "MORPH_KGC", "REQUIRE_SERVICES", "OXIGRAPH_URL", "VIRTUOSO_URL")
SHOWN_CHARS = 200  # characters of a variable's name a warning shows: every kg command prints it, on one line


def nearest_name(name: str, names) -> str | None:
    """The one of `names` that `name` is likeliest a slip for (a few letters off, or the same in other case),
    or None."""
    from rapidfuzz.distance import OSA  # here: only a name that is no setting comes this way

    wanted = name.upper()
    ranked = sorted((OSA.distance(wanted, known), known) for known in names)
    return ranked[0][1] if ranked and ranked[0][0] <= max(1, len(wanted) // 5) else None


def stray_variables(environ, prefix: str, settings) -> list[str]:
    """A line for each `prefix` variable in `environ` that names none of `settings` nor OTHER_VARIABLES:
    ignored, said with the setting it is likeliest meant for."""
    known = set(settings) | set(OTHER_VARIABLES)
    lines = []
    for variable in sorted(name for name in environ if name.startswith(prefix)):
        name = variable[len(prefix):]
        if name in known:
            continue
        meant = nearest_name(name, known)
        shown = shown_name(variable)
        lines.append(f"{shown} names no setting, and is ignored"
                     + (f"; did you mean {prefix}{meant}?" if meant else " (the README's table of settings lists them)"))
    return lines


def shown_name(variable: str) -> str:
    """A variable's name as a warning shows it: bytes that are not UTF-8 as \\xNN escapes (kg.errors.shown_text),
    cut to SHOWN_CHARS."""
    shown = shown_text(variable)
    return shown if len(shown) <= SHOWN_CHARS else shown[:SHOWN_CHARS - 1] + "…"


def unknown_names(keys, names) -> str:
    """'A (did you mean B?), C' for the `keys` of a configuration that name none of `names`, sorted: each as it
    is, or its repr where that would show nothing or it is no string (a key of 5 raised AttributeError)."""
    shown = []
    for key in sorted(keys, key=repr):
        meant = nearest_name(key, names) if isinstance(key, str) else None
        shown.append((key if isinstance(key, str) and key.strip() else repr(key))
                     + (f" (did you mean {meant}?)" if meant else ""))
    return ", ".join(shown)
