"""Validators from the dataset version (ETag, Last-Modified) and the 304 they allow (RFC 9110 §13.1, §15.4.5)."""

from __future__ import annotations

import hashlib
import time
from datetime import timezone
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from typing import Callable

from flask import Response, current_app, make_response, request

from api import security_headers, software
from api.compression import gzipped_type
from api.errors import Problem, problem_response
from api.result_cache import varies_without_writes
from kg.answers import QueryRequest


def entity_tags(header: str, *, weak: bool = False) -> set[str]:
    """The entity tags an If-Match or If-None-Match header lists ("*" included); `weak`: W/ taken off each, for
    the weak comparison If-None-Match uses (RFC 9110 §8.8.3.2)."""
    tags = {tag.strip() for tag in header.split(",")} - {""}
    return {tag.removeprefix("W/") for tag in tags} if weak else tags


def validators(version, shape: tuple, cache_control: str) -> dict:
    """Cache-Control (CACHE_CONTROL), ETag and Last-Modified of an answer made from the dataset at `version` and
    `shape`, what else makes it; only Cache-Control for a remote store (its version is unknown)."""
    headers = {"Cache-Control": cache_control}
    if version is None:
        return headers
    # The software writes the answer too: after an upgrade (a template, a serialiser) and no write, the
    # same data gives other bytes, which a client revalidating must get.
    key = repr((version.number, software.stamp()[0], *shape))
    headers["ETag"] = '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'
    modified = last_modified(version)
    if time.time() - modified >= 1:  # else a write later in the same (whole) second would share it
        headers["Last-Modified"] = _http_date(modified)
    headers["X-Dataset-Version"] = str(version.number)
    return headers


@lru_cache(maxsize=8)
def _http_date(seconds: float) -> str:
    """An HTTP date (RFC 9110 §5.6.7), kept: every answer at one dataset version gives the same one."""
    return formatdate(seconds, usegmt=True)


def last_modified(version) -> float:
    """When an answer from the dataset at `version` last changed: its last write, or the software's newest file."""
    return max(version.modified, software.stamp()[1])


def validators_for(version, run: QueryRequest, media: str, cache_control: str, *, own_query: bool = False) -> dict:
    """The validators of a query response: the dataset version plus what shapes the answer. An answer that
    may change with no write (NOW(), RAND(), SERVICE...) has none: the same ETag over other bytes let a 304
    stand for an answer the client never had (RFC 9110 §8.8.1). `own_query`: the server's own (a graph read)."""
    if not own_query and varies_without_writes(run.sparql):
        version = None
    return validators(version, (run.sparql, run.base, run.default_graphs, run.named_graphs, run.row_limit, media),
                      cache_control)


def not_modified(validators: dict, version, *, matched: bool = False) -> bool:
    """Whether a GET or HEAD may answer 304 (see `evaluate`) for an answer with `validators` made from the
    dataset at `version`. Unknown version (no ETag): If-Match and If-None-Match hold or fail only by "*"."""
    if "ETag" not in validators:  # no current tag: If-Match holds only for "*" (RFC 9110 §13.1.1)
        if_match = request.headers.get("If-Match")
        if if_match is not None and not matched and "*" not in entity_tags(if_match):
            raise Problem(412, "Precondition failed", "If-Match names a tag, and this answer has none to match")
        return _none_match_star()
    return evaluate(validators["ETag"], last_modified(version), dated="Last-Modified" in validators, matched=matched)


def evaluate(etag: str, modified: float, *, dated: bool, matched: bool = False) -> bool:
    """RFC 9110 §13.2.2's order for a representation tagged `etag`, changed last at `modified`: Problem 412 when
    If-Match, else If-Unmodified-Since, does not hold, or for a POST when If-None-Match does; then whether a GET
    or HEAD may answer 304 (If-None-Match, else If-Modified-Since when `dated`: Last-Modified is sent).
    `matched`: the caller has evaluated If-Match against more tags than this one."""
    _check_preconditions(etag, modified, matched)
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = entity_tags(if_none_match, weak=True)
        held = "*" in tags or etag in tags
        if held and request.method not in ("GET", "HEAD"):  # a POST query: 304 is only for a GET or HEAD
            raise Problem(412, "Precondition failed", "If-None-Match names the current ETag of this answer")
        return held
    if request.method not in ("GET", "HEAD"):  # If-Modified-Since is a GET's or HEAD's (RFC 9110 §13.1.3)
        return False
    since = _past_date(request.headers.get("If-Modified-Since"))
    return since is not None and dated and int(modified) <= since


def _none_match_star() -> bool:
    """If-None-Match: * against an answer that is there but has no tag (RFC 9110 §13.1.2): it matches, so a GET or
    HEAD may answer 304, and any other method is 412. A list of tags cannot match, and changes nothing."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is None or "*" not in entity_tags(if_none_match):
        return False
    if request.method not in ("GET", "HEAD"):
        raise Problem(412, "Precondition failed", "If-None-Match: * matches this answer, which is there")
    return True


def one_date(value: str | None) -> float | None:
    """An HTTP date (RFC 9110 §5.6.7) as a timestamp; None for anything else, a list of dates too, which
    §13.1.3-4 and §13.1.5 say to ignore. A date without a zone (asctime's form) is GMT, as every HTTP date is."""
    if not value:
        return None
    day, comma, rest = value.strip().partition(",")
    if comma and (not day.isalpha() or "," in rest):  # one date has a comma only after its day's name
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a year past a C long
        return None
    return moment.replace(tzinfo=moment.tzinfo or timezone.utc).timestamp()


def _past_date(value: str | None) -> float | None:
    """An If-Modified-Since date as a timestamp; None when it is not one HTTP date or is later than now, which
    RFC 7232 §3.3 calls invalid (a client's clock ahead, or a made-up date, would otherwise pin a stale copy).
    If-Unmodified-Since needs no such rule: a later date always holds, as if ignored."""
    since = one_date(value)
    return None if since is None or since > time.time() else since


def check_unmodified_since(version) -> None:
    """If-Unmodified-Since on a write (RFC 9110 §13.1.4): 412 when the data changed after its date. Ignored under
    If-Match, for what is not one HTTP date, and for a remote store, whose changes have no date known here."""
    if version is None or request.headers.get("If-Match") is not None:
        return
    since = one_date(request.headers.get("If-Unmodified-Since"))
    if since is not None and int(version.modified) > since:  # HTTP dates are whole seconds
        raise Problem(412, "Precondition failed", "the data changed after the If-Unmodified-Since date: read it again")


def dataset_tag(version, fmt: str, gzipped: bool) -> str:
    """The ETag of a dump of the whole dataset (GET /store, /dump.nq.gz): the version and the format, then the software
    that writes it, readable."""
    return f'"{version.number}-{fmt}{"-gz" if gzipped else ""}-{software.stamp()[0]}"'


def check_dataset_preconditions(version) -> None:
    """RFC 9110 §13.1.1-2 for a write whose target is the dataset (an update, a POST /store of quads): its entity tag
    is its version in quotes (`"N"`, as X-Dataset-Version says N), or a dump's of GET /store. If-Match holds for `*` or
    a listed current tag (compared strongly); If-None-Match fails for `*` or one (compared weakly),
    If-Unmodified-Since before the last write: 412."""
    current = set() if version is None else {f'"{version.number}"', *(dataset_tag(version, fmt, False)
                                                                     for fmt in ("nquads", "trig"))}
    check_unmodified_since(version)
    if_match, if_none_match = request.headers.get("If-Match"), request.headers.get("If-None-Match")
    if if_match is not None:
        tags = entity_tags(if_match)
        if "*" not in tags and not current & tags:
            raise Problem(412, "Precondition failed", "If-Match names no current version of the dataset "
                                                      "(X-Dataset-Version, quoted): read it again")
    if if_none_match is not None:
        tags = entity_tags(if_none_match, weak=True)
        if "*" in tags or current & tags:
            raise Problem(412, "Precondition failed", "If-None-Match matches the dataset as it is now")


def _check_preconditions(etag: str, modified: float, matched: bool) -> None:
    if_match = request.headers.get("If-Match")
    if if_match is not None and not matched:
        tags = entity_tags(if_match)  # compared strongly: a weak tag never matches
        if "*" not in tags and etag not in tags:
            raise Problem(412, "Precondition failed", "If-Match names no current ETag of this answer: ask again")
    if if_match is not None:
        return
    since = one_date(request.headers.get("If-Unmodified-Since"))  # not one date: ignored (RFC 9110 §13.1.4)
    if since is not None and int(modified) > since:
        raise Problem(412, "Precondition failed", "the answer changed after the If-Unmodified-Since date")


# Routes whose POST only reads (a reconciliation batch or data extension), so its answer may be dropped for a 412
READ_BY_POST = ("/reconcile",)


def install(app) -> None:
    """Preconditions on a read (GET, HEAD, a reconciliation POST) whose answer has no ETag (the service
    description, the views' JSON, the manifest...): a listed If-Match tag cannot match, so 412 rather than the 200
    (RFC 9110 §13.1.1), while "*" holds, as the answer is there; If-None-Match: * matches it, 304 for a GET or HEAD
    and 412 for a POST (§13.1.2). Routes with validators have evaluated them; other statuses ignore them (§13.2.1)."""

    @app.after_request
    def preconditions_without_a_tag(response):
        read = request.method in ("GET", "HEAD") or (request.method == "POST" and request.path in READ_BY_POST)
        if not read or not 200 <= response.status_code < 300 or "ETag" in response.headers:
            return response
        if_match = request.headers.get("If-Match")
        try:
            if if_match is not None and "*" not in entity_tags(if_match):
                raise Problem(412, "Precondition failed", "If-Match names a tag, and this answer has none to match")
            if not _none_match_star():
                return response
        except Problem as failed:
            response.close()  # safe to drop: a read changed nothing
            return problem_response(failed.status, failed.title, failed.detail)
        response.close()
        kept = {name: response.headers[name] for name in ("Cache-Control", "Vary", "Expires")
                if name in response.headers}
        return unchanged(kept, response.mimetype)  # what the 200 would carry, as §15.4.5 has a 304 do


def unchanged(headers: dict, media: str, *, negotiated: bool = False) -> Response:
    """304 Not Modified standing for a 200 of `media` with `headers` (its validators): those, Vary when
    `negotiated`, and the 200's security headers, which a 304 (no Content-Type) would otherwise get wrong."""
    response = Response(status=304, headers=headers)
    # RFC 9110 §15.4.5: a 304 carries the Vary its 200 would (a 304 has no Content-Type for api.compression to see)
    vary = (["Accept"] if negotiated else []) + (["Accept-Encoding"] if gzipped_type(media, current_app.config) else [])
    for name in vary:  # added to the Vary given in `headers` (an untagged answer's own), never in its place
        response.vary.add(name)
    security_headers.put(response.headers, security_headers.values_for(request.path, media))
    return response


def conditional(shape: tuple, make: Callable[[], object], media: str, *, negotiated: bool = False) -> Response:
    """A GET or HEAD answer (make()'s, of `media`) with the validators of `shape`, or 304 when the request's
    still hold; `negotiated`: the answer depends on Accept, and both say so."""
    version = current_app.extensions["sahel-kg"].version()  # before the answer is made: a tag may undersell
    settings = current_app.config
    # What shapes a document besides the data and the software: a description's row cap, the IRIs and URLs it
    # is written with, the endpoints a page links to; a restart with other settings must not answer 304.
    made_by = (settings["ROW_LIMIT"], settings["IRI_BASE"], settings["PUBLIC_ORIGIN"], _endpoints())
    headers = validators(version, (*shape, made_by), settings["CACHE_CONTROL"])
    if negotiated:
        headers["Vary"] = "Accept"
    if not_modified(headers, version):
        return unchanged(headers, media, negotiated=negotiated)
    response = make_response(make())
    response.headers.update(headers)
    return response


def _endpoints() -> str:
    """The app's routes (settings turn some on: dumps, VoID, reconciliation), as pages link to them."""
    return current_app.extensions.setdefault(
        "sahel-kg.endpoints", " ".join(sorted(rule.rule for rule in current_app.url_map.iter_rules())))
