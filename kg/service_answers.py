"""A SERVICE endpoint's answer, as kg.federation reads it: its codings, its body within the time left, then its
solutions, blank nodes made skolem IRIs (VALUES cannot hold blank nodes), and whether the answer says it was cut."""

from __future__ import annotations

import itertools
import re
import socket
import time
import urllib.parse

import pyoxigraph as ox

from kg.endpoint_keys import without_userinfo
from kg.error_text import first_line
from kg.errors import ServiceFailure
from kg.store import sparql_json

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
MAX_ANSWER_BYTES = 64 << 20  # a larger answer is refused rather than held in memory


def unasked_coding(headers) -> str | None:
    """The content or transfer coding of an answer other than what was asked (identity, and chunked framing, which
    http.client undoes), as the headers name it cut as an error line; None for none."""
    for name, plain in (("Content-Encoding", ("", "identity")), ("Transfer-Encoding", ("", "chunked", "identity"))):
        said = ", ".join(headers.get_all(name) or ())
        if said.strip().lower() not in plain:
            return f"{name} {first_line(said)[:80]!r}"
    return None


def read_body(response, ends: float, endpoint: str) -> bytes:
    """The body, read piece by piece so the time limit holds for a server that answers slowly."""
    chunks, size = [], 0
    while True:
        if time.monotonic() > ends:
            raise socket.timeout()
        chunk = response.read1(1 << 16)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise ServiceFailure(f"SERVICE <{endpoint}> answered with more than {MAX_ANSWER_BYTES} bytes",
                                 endpoint=endpoint)
        chunks.append(chunk)


def parse_solutions(endpoint: str, body: bytes, media_type: str, *, genid: str, most: int | None = None):
    """(variables, rows, whether the answer says it was cut: kg serve's last JSON member `"truncated": true` or XML
    comment, kg.results); members in any order, extra ones too, are read, and at most `most` rows."""
    format = RESULT_FORMATS.get(media_type)
    if format is None:
        raise ServiceFailure(f"SERVICE <{endpoint}> answered with {media_type!r}, not SPARQL results",
                             endpoint=endpoint)
    members, cut = {}, False
    try:
        if format == ox.QueryResultsFormat.JSON:
            variables, parsed = sparql_json.read([body], members=members)
            if parsed is None:
                raise SyntaxError("a boolean, not solutions")
            rows = [tuple(_skolem(term, endpoint, genid) for term in row) for row in itertools.islice(parsed, most)]
            cut = members.get("truncated") is True
        else:
            parsed = ox.parse_query_results(body, format=format)
            if isinstance(parsed, ox.QueryBoolean):
                raise SyntaxError("a boolean, not solutions")
            variables = [variable.value for variable in parsed.variables]
            rows = [tuple(_skolem(solution[name], endpoint, genid) for name in variables)
                    for solution in itertools.islice(parsed, most)]
            cut = format == ox.QueryResultsFormat.XML and _XML_CUT.search(body) is not None
    except (SyntaxError, ValueError, OSError) as error:  # sparql_json.MalformedAnswer is a ValueError
        raise ServiceFailure(f"SERVICE <{endpoint}> answered with unreadable results: {error}",
                             endpoint=endpoint) from None
    return variables, rows, cut


# kg serve's XML note of a cut, the last thing before the document's end (a "<" in text is escaped: no literal
# can end so)
_XML_CUT = re.compile(rb"<!-- truncated: [^>]*-->\s*</sparql>\s*\Z")


def _skolem(term, endpoint: str, genid: str):
    """A blank node as an IRI under the endpoint's /.well-known/genid/, unique to this answer."""
    if isinstance(term, ox.BlankNode):
        origin = urllib.parse.urlsplit(without_userinfo(endpoint)[0])  # credentials never go into an answer
        return ox.NamedNode(f"{origin.scheme}://{origin.netloc}/.well-known/genid/{genid}-{term.value}")
    if isinstance(term, ox.Triple):
        return ox.Triple(*(_skolem(part, endpoint, genid) for part in (term.subject, term.predicate, term.object)))
    return term


def in_scope(pattern: str, prologue: str = "") -> list[str] | None:
    """The variables in scope of the group graph pattern `pattern` (SPARQL 1.1 §18.2.1), as `SELECT *` over it
    names them; None where the engine cannot read it alone. A SILENT SERVICE that failed stands for one solution
    binding them all to nothing: `{}` in its place took them from `SELECT *` (helper-208)."""
    from kg.sparql_parts import services_masked

    # On an empty store, and with every SERVICE head blanked: the engine calls a SERVICE as the query starts, and one
    # nested in the failed clause was called with no time limit, at its own address (helper-211).
    try:
        return [variable.value for variable in
                ox.Store().query(services_masked(f"{prologue}SELECT * WHERE {pattern}")).variables]
    except SyntaxError:
        return None
