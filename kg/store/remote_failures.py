"""What a remote engine's answer that is not a success means, as the library's errors, by the engine's dialect
(kg.store.dialects): a syntax error or a request refused as given is the client's (400), a server error or a
malformed answer is the store's (RemoteStoreFailure, 502, naming the store), a store that refuses us is
StoreUnavailable (503), and a time limit passed is QueryTimeout."""

from __future__ import annotations

import json

from kg.error_text import WEB_PAGE, first_line, is_web_page
from kg.errors import (EvaluationError, QuerySyntaxError, QueryTimeout, RemoteStoreFailure, StoreUnavailable,
                       UpdateTimeout)
from kg.store.base import syntax_error
from kg.store.dialects import SPARQL11, Dialect
from kg.store.remote_http import Answer, DeadlinePassed
from kg.store.shown_urls import shown_url

ERROR_BYTES = 1 << 16  # of an error body: enough for any message, never a whole result


def failure(answer: Answer, dialect: Dialect = SPARQL11, *, seconds: float | None = None,
            operation: str = "query") -> Exception:
    """The error an answer that is not a success stands for (its body is read, up to ERROR_BYTES); a query's (or
    an update's: `operation`) time limit, `seconds`, is said as the embedded store says it where the engine
    stopped it there."""
    if 300 <= answer.status < 400:  # an endpoint that moved (http:// to https://): say where to, follow nothing
        answer.close()
        where = answer.headers.get("Location")
        return StoreUnavailable(f"{answer.url} answered {answer.status} {first_line(answer.reason)}".rstrip() +
                                (f", redirecting to {shown_url(where)}" if where else "") + "; redirects are not "
                                "followed (a query or update sent on elsewhere): give the URL it names, if it is "
                                "the endpoint meant")
    try:
        body = answer.read(ERROR_BYTES)
    except DeadlinePassed:
        body = b""
    text = body.decode("utf-8", "replace")
    if is_web_page(text, answer.media_type):  # a web server's error page, not an engine's words: its status line
        reason = first_line(answer.reason)
        text = f"HTTP {answer.status} {reason}".rstrip() + f", {WEB_PAGE}"
    timeout = _timeout_problem(text, answer, operation)
    if timeout is not None:
        return timeout
    message = engine_message(text) or f"HTTP {answer.status}"
    return error_for(message, answer.status, answer.url, dialect, seconds=seconds, operation=operation)


def _timeout_problem(text: str, answer: Answer, operation: str = "query") -> QueryTimeout | None:
    """A remote sahel-kg's 503 "Query timeout" (or "Update timeout"), in its own words (its limit may be shorter
    than ours), as the `operation`'s; else None."""
    try:
        problem = json.loads(text)
    except (ValueError, RecursionError):  # [[[[...: no problem document either
        return None
    if answer.status != 503 or not isinstance(problem, dict) or \
            problem.get("title") not in ("Query timeout", "Update timeout"):
        return None
    kind = UpdateTimeout if operation == "update" else QueryTimeout
    return kind(str(problem.get("detail") or f"{operation} stopped at the store's time limit"),
                waited=answer.headers.get("Retry-After") is not None)


def update_failure(answer: Answer, dialect: Dialect, *, at_query_url: bool,
                   seconds: float | None = None) -> Exception:
    """The error a refused update stands for (`seconds`: its time limit, said if the engine stopped it there). Sent to the query URL (no update URL set), a refusal that places
    no fault in the text is most likely the endpoint's, which takes no updates: said so, with the setting."""
    error = failure(answer, dialect, seconds=seconds, operation="update")
    if "SR186" in str(error) and "SPARQL_" in str(error):  # Virtuoso: its anonymous /sparql user may not write
        words = first_line(str(error)).removeprefix(f"{answer.url} failed: ")
        return RemoteStoreFailure(f"{answer.url} refused the update ({words}): Virtuoso runs a request "
                                "to /sparql as its anonymous user; send updates to its /sparql-auth "
                                "(SAHEL_KG_STORE_UPDATE_URL) as a user who may write (SAHEL_KG_STORE_USER, "
                                "SAHEL_KG_STORE_PASSWORD)")
    if at_query_url and isinstance(error, QuerySyntaxError) and error.line is None:
        return RemoteStoreFailure(f"{answer.url} refused the update ({first_line(error.message)}): updates go to the "
                                  "query URL unless SAHEL_KG_STORE_UPDATE_URL names the engine's update endpoint "
                                  "(oxigraph serve: …/update; Virtuoso: the same /sparql)")
    return error


_ENDPOINTS = "(oxigraph serve: …/query; kg serve and Virtuoso: …/sparql)"


def error_for(message: str, status: int, url: str, dialect: Dialect = SPARQL11, *,
              seconds: float | None = None, operation: str = "query") -> Exception:
    """The library error for an engine's error message and HTTP status (`seconds`, `operation`: as failure's)."""
    if any(sign in message for sign in dialect.timeout_signs):
        return QueryTimeout.stopped(seconds, operation)
    if any(sign in message for sign in dialect.syntax_signs):
        return syntax_error(message)
    if any(sign in message for sign in dialect.refused_signs):
        return EvaluationError(message)
    if status == 400:
        return syntax_error(message)
    if status == 404:  # a wrong path, mostly the server's root (oxigraph serve: "POST / is not supported")
        return StoreUnavailable(f"{url} answered 404: {first_line(message)}; is it the SPARQL endpoint's URL? "
                                f"{_ENDPOINTS}")
    if status == 401:  # its page's words ("a web page rather than a SPARQL answer") would mislead
        return StoreUnavailable(f"{url} answered 401 Unauthorized: it takes requests from a user it knows, and was "
                                "sent no credentials or ones it refused (a store's are SAHEL_KG_STORE_USER and "
                                "SAHEL_KG_STORE_PASSWORD; `kg query --endpoint` sends none)")
    if status in (403, 503):  # a user who may not, or the engine is overloaded
        return StoreUnavailable(f"{url} answered {status}: {first_line(message)}")
    if status == 405:  # a page or another service at that URL, mostly: an endpoint takes a POSTed query
        return RemoteStoreFailure(f"{url} answered 405, Method Not Allowed ({first_line(message)}): it takes no "
                                  f"SPARQL sent by POST, so it is likely no SPARQL endpoint's URL {_ENDPOINTS}")
    return RemoteStoreFailure(f"{url} failed: {first_line(message)}")  # not an engine's stack trace whole


def engine_message(text: str) -> str:
    """An engine's own words: without the query Virtuoso repeats, or the detail of a problem document
    (a remote sahel-kg), in the form syntax_error reads a position from."""
    text = text.split("\n\nSPARQL query:")[0].split("SPARQL query:")[0].strip()
    try:
        problem = json.loads(text)
    except (ValueError, RecursionError):  # [[[[...: no problem document either
        return text
    if not isinstance(problem, dict) or "detail" not in problem:
        return text
    if problem.get("line") is not None:
        return f"error at {problem['line']}:{problem.get('column') or 1}: {problem['detail']}"
    return str(problem["detail"])
