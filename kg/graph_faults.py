"""What to add to an engine's refusal of a graph operation for a graph that is not there, or is already: SPARQL 1.1
Update's SILENT (§3.2), which a newcomer following `DROP GRAPH` with a graph a failed load never made does not know."""

from __future__ import annotations

import re

_MISSING = re.compile(r"The graph <[^>]*> does not exist")
_PRESENT = re.compile(r"The graph <[^>]*> already exists")


def silent_hint(message: str) -> str:
    """`message`, with the SILENT form that runs the operation either way where it says a graph is missing or there."""
    if _MISSING.search(message):
        return (f"{message}; SILENT after the operation's keyword (DROP SILENT GRAPH <g>, CLEAR SILENT, MOVE SILENT …) "
                "makes it succeed whether the graph exists or not")
    if _PRESENT.search(message):
        return f"{message}; CREATE SILENT GRAPH <g> succeeds whether the graph exists or not"
    return message
