"""Every setting of the service, declared once: name, default, type and help.

A setting comes from the `config` mapping given (to create_app, or by a command's option), else the
environment variable SAHEL_KG_<NAME>, else its default. The HTTP service reads them all (resolve); the
console reads the store's and the row cap (console_settings), so a store is reached the same way by
both. The README's table is generated from SETTINGS (and tested). Nothing here imports Flask.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

from kg import allocator
from kg.errors import ConfigError
from kg.setting_names import stray_variables, unknown_names
from kg.setting_values import (COUNT, SECONDS, allowed_origin, boolean, endpoints, header_text, iri_base, number,
                               optional, optional_header_text, origin, store_url, store_urls, words)
from kg.shape_limits import DEEPEST, MAX_DEPTH, MAX_PATTERNS, MOST_PATTERNS
from kg.sparql_lexer import KEPT_TOKENS

ENV_PREFIX = "SAHEL_KG_"


_SAME = object()  # a setting whose public default is its ordinary one


@dataclass(frozen=True)
class Setting:
    """One setting: its default, how text becomes its value, what it means, and its default under PUBLIC."""

    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str
    public: Any = _SAME


SETTINGS = [
    Setting("PUBLIC", False, boolean,
            "A public deployment (`kg serve --public`): the public defaults below apply, CORS is for GET only, no "
            "software or version named in headers (Server: sahel-kg, as on any server); start-up is refused with updates on, a limit turned off or a token under 32 bytes "
            "(SECURITY.md)."),
    Setting("STORE", "oxigraph:", str,
            "The store: oxigraph:PATH (embedded, persistent; oxigraph: alone is the default path), memory:, "
            "or the query URL of a SPARQL endpoint."),
    Setting("STORE_UPDATE_URL", None, store_url, "Update URL of a remote endpoint, if not the query URL."),
    Setting("STORE_REPLICAS", (), store_urls,
            "More query URLs of read replicas of a remote store, separated by spaces or commas: queries go to the "
            "healthy ones (the store's own URL too) in turn; a failed one is probed until it answers."),
    Setting("STORE_USER", None, optional, "User name for a remote endpoint (HTTP Basic authentication, or Digest where the endpoint asks for it: Virtuoso)."),
    Setting("STORE_PASSWORD", None, optional, "Password for a remote endpoint."),
    Setting("INSTALL_ARTICLE", True, boolean,
            "Install the article's graphs into an empty embedded store at start-up, and when the console first "
            "opens one (false: a new store stays empty, as restoring an export needs)."),
    Setting("QUERY_TIMEOUT", 10.0, SECONDS,
            "Seconds a query may run before it is stopped (503), counted from when its request was read: one "
            "still waiting for a request thread then is refused, and the query gets what is left (in a query worker, "
            "in the HTTP process, or from a memory or remote store); a "
            "request may ask for less with timeout=. "
            "Also the limit of an update sent to a remote store (504 past it: the outcome is unknown)."),
    Setting("COUNT_TIMEOUT", 60.0, SECONDS,
            "Seconds each set of whole-dataset counts (the service description's, VoID's, the home page's own) and "
            "the reading of the search index may take: they are made in the background, once per version of the "
            "data; past it the home page and the descriptions give none and say so, and searches answer 503, until "
            "the data changes."),
    Setting("ROW_LIMIT", 10000, COUNT,
            "Most rows (or triples) a response carries; a cut result says so in a header and in JSON."),
    Setting("MAX_BODY_BYTES", 1 << 20, COUNT, "Largest request body accepted (413 beyond, before it is read)."),
    Setting("MAX_QUERY_BYTES", 1 << 20, COUNT, "Largest query or update text accepted, in UTF-8 bytes (413 beyond).",
            public=1 << 16),
    Setting("MAX_QUERY_TOKENS", 100_000, number(whole=True, most=KEPT_TOKENS),
            "Most tokens (terms, keywords, signs) a query or update text may have (413 beyond): the checks before "
            "the engine read each one; at most 200000 (the most whose tokens are kept, so that a text is lexed "
            "once).", public=20_000),
    Setting("UPLOAD_TIMEOUT", 10.0, SECONDS,
            "Seconds the parsing of a Graph Store upload may take (413 beyond): hostile RDF can be slow to parse.",
            public=5.0),
    Setting("MAX_QUERY_DEPTH", MAX_DEPTH, number(whole=True, most=DEEPEST),
            "Deepest nesting of groups, brackets and calls a query may have; at most 200 (deeper ones may overflow "
            "the engine's stack)."),
    Setting("MAX_QUERY_PATTERNS", MAX_PATTERNS, number(whole=True, most=MOST_PATTERNS),
            "Most triple patterns, groups, FILTERs and assignments a query or update may have: the engine's "
            "planning time grows as about their fourth power (100: up to 1.5 s); at most 500 (more may overflow "
            "its stack)."),
    Setting("SERVICE_ALLOWLIST", (), endpoints,
            "Endpoints SERVICE may call, separated by spaces or commas; empty refuses every SERVICE. An entry "
            "IRI>URL lets SERVICE <IRI> be answered by the endpoint at URL (a mirror or local copy). A refused "
            "SERVICE lists the allowed IRIs, their user information and query hidden (\"…\"); a mirror's URL is "
            "never shown, so credentials belong there (user:password@, sent as HTTP Basic). SERVICE <IRI> matches an "
            "entry whatever the case of its scheme and host (nothing else is normalised) and calls it as listed; one "
            "IRI sent to two URLs is refused, and so is an IPv6 address with a zone id (`http://[fe80::1%25eth0]/sparql`, "
            "as in any URL a setting or `--endpoint` gives: it names one machine's interface)."),
    Setting("SERVICE_TIMEOUT", 10.0, SECONDS,
            "Seconds each call to a SERVICE endpoint may take, all told from its start (resolving the host's "
            "name, connecting, TLS, the whole answer); a slower endpoint is a 504 naming it."),
    Setting("SERVICE_CACHE_TTL", 300.0, number(whole=False, zero="the cache off"),
            "Seconds an endpoint's answer to the same SERVICE pattern is reused, kept per URL called (a new "
            "mirror is asked anew); 0 turns the cache off."),
    Setting("SERVICE_CONTACT", None, optional_header_text,
            "Contact (e-mail or URL) put in the User-Agent of SERVICE calls, as Wikidata's policy asks."),
    Setting("SERVICE_ROW_LIMIT", 10000, COUNT,
            "Most solutions one SERVICE call may bring; a pattern with more, or one whose endpoint cut its answer at a "
            "row cap of its own, is refused (400), and so is a query whose SERVICE clauses bring more all told."),
    Setting("RECONCILE_BATCH_SIZE", 50, COUNT,
            "Most queries in one reconciliation batch, and entity ids in one data extension request (413 beyond)."),
    Setting("UPDATES_ENABLED", False, boolean,
            "Accept SPARQL Update and Graph Store writes (they also need UPDATE_TOKEN)."),
    Setting("UPDATE_TOKEN", None, optional, "Bearer token that writes must carry."),
    Setting("CORS_ORIGINS", "*", allowed_origin, "Which sites' pages may read (`*`; or origins as browsers write them, such as `https://app.example`, separated by spaces or commas: with several, an answer names the asking page's origin in Access-Control-Allow-Origin when listed and says `Vary: Origin`; a path, capitals, a default port such as `:443` or an IP address written otherwise than a browser writes it, such as `[0:0::1]` for `[::1]` or `127.1` for `127.0.0.1`, are refused). What they may read: queries, reconciliation and every GET of the data (not /metrics, the health checks or /store); empty turns CORS off."),
    Setting("CACHE_CONTROL", "no-cache", header_text,
            "Cache-Control of query responses, documents and VoID (ETag and Last-Modified are always sent where "
            "known)."),
    Setting("GZIP_LEVEL", 1, number(whole=True, zero="never", most=9),
            "zlib level (1 fastest to 9 smallest) of the gzip content coding of answers a client accepts it for "
            "(Accept-Encoding): results, RDF, pages and problems of 1 KiB or more, compressed as they stream; "
            "0 never compresses."),
    Setting("TRUSTED_PROXIES", (), words,
            "Addresses of reverse proxies whose X-Forwarded-For names the client (for the access log, budgets "
            "and whether a loopback Host is taken as the origin); separated by spaces or commas."),
    Setting("ACCESS_LOG", "-", str,
            "Where the access log goes, one JSON object a line: - for standard error, a file path, or empty for none. "
            "A file that cannot be opened (in a folder that is not there) stops kg serve before it serves."),
    Setting("METRICS", True, boolean, "Serve Prometheus metrics at /metrics."),
    Setting("READ_FROM_MEMORY", False, boolean,
            "Query workers of an embedded on-disk store answer from a copy of the dataset in memory (each "
            "worker holds one; it must fit). Writes still go to disk, durably; after one, each worker copies "
            "the dataset again at its next query."),
    Setting("RESULT_CACHE_BYTES", 64 << 20, number(whole=True, zero="none kept"),
            "Bytes of query answers each server process keeps, keyed on the query, its dataset and format, and "
            "the dataset version (so a write makes them stale); 0 keeps none."),
    Setting("RESULT_CACHE_MIN_SECONDS", 0.005, number(whole=False, zero="every answer kept"),
            "Seconds an answer must have taken to be kept in the result cache: a cheaper one (a lookup takes about "
            "a millisecond) is answered again, so that many distinct light queries neither grow the memory nor "
            "push out the answers worth keeping."),
    Setting("REMOTE_INDEX_SECONDS", 60.0, number(whole=False, zero="read for every request"),
            "Seconds the search index and the reconciliation catalogue of a remote store are used before they are "
            "read from it again: its other writers' changes are not seen, so these lag them by as much (a write "
            "through this server is seen at once). An embedded store's follow every write, whatever this says."),
    Setting("IRI_BASE", "https://sahel-kg.example.org/", iri_base,
            "The base of the IRIs the dataset mints; an IRI under it resolves on this server at the same path "
            "(IRI_BASE + id/jnim is served at /id/jnim)."),
    Setting("PUBLIC_ORIGIN", None, origin,
            "The origin clients reach this server at (https://kg.example.org), written into the absolute URLs it "
            "hands out (service description, VoID, reconciliation manifest, home page) and the base IRI of queries, "
            "updates and uploads. Unset: the Host header when it names the loopback interface and the client is on "
            "it too (its address, through TRUSTED_PROXIES), not on a public server (there it is a proxy's own, "
            "or made up); else IRI_BASE's origin. No other Host header is ever copied."),
    Setting("QUERY_WORKERS", 1, COUNT,
            "Worker processes each server process starts to run queries on an embedded on-disk store, so that a "
            "query past its time limit can be killed; more start as queries find them all busy."),
    Setting("QUERY_MEMORY_LIMIT", 2048, number(whole=True, zero="no cap"),
            "Mebibytes of memory a query worker may take beyond the store it opened; a query that needs more is "
            "stopped (503) and its worker replaced. 0: no cap. Linux only (elsewhere there is none).",
            public=1024),
    Setting("MALLOC", "auto", allocator.choice,
            "The malloc `kg serve`'s processes and its query workers run with, and `kg load` of 128 MiB or more into an "
            "embedded store: auto (jemalloc where installed, else "
            "the C library's), jemalloc, system (the C library's), or the path of a malloc library to preload (one that "
            "will not load, or defines no malloc, is refused at start-up). A library LD_PRELOAD already names stays "
            "preloaded whatever this says. The engine's aggregations cost about a sixth less CPU on jemalloc than on glibc's malloc, lookups about a "
            "tenth (Debian: apt-get install libjemalloc2). Linux only."),
    Setting("MAX_QUERY_WORKERS", 6, COUNT,
            "Most query worker processes per server process: a query that finds every worker busy starts one "
            "more, up to this many, and those started stay (never fewer than QUERY_WORKERS)."),
    Setting("QUERY_WORKER_IDLE_SECONDS", 5.0, number(whole=False, zero="views kept open"),
            "Seconds a query worker on disk waits idle before it closes its view of the store, giving back the "
            "engine's caches (about 60 MB at 1M triples); its next query reopens it (20-40 ms at 1M) with cold "
            "caches. Idle workers look once a second, so less than 1 acts as 1; 0 keeps views open. A copy in memory "
            "(READ_FROM_MEMORY) is always kept."),
    Setting("DUMPS_AT_ONCE", 2, COUNT, "Dumps of the whole dataset (GET /store, /dump.trig.gz, /dump.nq.gz) a "
            "server process sends at once, each reading the whole store; past it, 503 with Retry-After."),
    Setting("QUEUE_SIZE", 16, number(whole=True, zero="none wait"),
            "Most queries that may wait for a query worker in a server process (0: none wait); past it, 503 with "
            "Retry-After."),
    Setting("QUERY_BUDGET", 60.0, number(whole=False, zero="budgets off"),
            "Seconds of query time each client may use per BUDGET_WINDOW_SECONDS (a minute), across the server "
            "processes of one kg serve (429 with Retry-After past it); 0 turns budgets off."),
    Setting("BUDGET_WINDOW_SECONDS", 60.0, SECONDS,
            "Seconds in which a client's spent QUERY_BUDGET comes back (refilling evenly over them)."),
    Setting("BUDGET_LOOPBACK", False, boolean,
            "Budget clients on the loopback address too (off for development on one machine).", public=True),
    Setting("CLIENT_TOKENS", (), words,
            "Bearer tokens that name a client for its budget (instead of its address); separated by spaces or commas."),
    Setting("RUN_DIRECTORY", None, optional,
            "A directory the server processes of one `kg serve` share: the clients' budgets are kept there "
            "(budgets.sqlite3), one per client whichever process answers. kg serve makes a fresh one for each "
            "run (removed at the end, or by the next kg serve if killed) unless this names one, whose budgets "
            "of a previous run it removes at start (one kg serve to a directory); unset, as with create_app "
            "alone, each process keeps its own."),
]


def resolve(config: dict | None = None, environ: dict | None = None) -> dict[str, Any]:
    """Every setting's value, from `config`, else the environment, else its default (its public default
    when PUBLIC is on). A public configuration that is unsafe raises ConfigError naming every fault."""
    config = dict(config or {})
    environ = os.environ if environ is None else environ
    unknown = set(config) - {s.name for s in SETTINGS} - _FLASK_KEYS
    if unknown:
        raise ConfigError("unknown setting(s): " + unknown_names(unknown, [s.name for s in SETTINGS]))
    values, given = {}, set()
    for setting in SETTINGS:
        if setting.name in config or ENV_PREFIX + setting.name in environ:
            given.add(setting.name)
            raw = config.get(setting.name, environ.get(ENV_PREFIX + setting.name))
        elif values.get("PUBLIC") and setting.public is not _SAME:  # PUBLIC is the first setting
            raw = setting.public
        else:
            raw = setting.default
        values[setting.name] = _parsed(setting, raw, None if setting.name in config else ENV_PREFIX + setting.name)
    if values["PUBLIC"]:
        faults = public_faults(values)
        if faults:
            raise ConfigError("refusing a public server: " + "; ".join(faults))
    values.update({key: config[key] for key in _FLASK_KEYS & set(config)})
    return values


# What the console reads too: how to reach the store, and the most rows an answer shows.
CONSOLE = ("STORE", "STORE_UPDATE_URL", "STORE_REPLICAS", "STORE_USER", "STORE_PASSWORD", "ROW_LIMIT",
           "INSTALL_ARTICLE", "SERVICE_ALLOWLIST", "SERVICE_TIMEOUT", "SERVICE_CACHE_TTL", "SERVICE_CONTACT",
           "SERVICE_ROW_LIMIT", "MALLOC")


def console_settings(config: dict | None = None, environ: dict | None = None) -> dict[str, Any]:
    """The settings the console shares with the server (CONSOLE), from `config`, the environment or defaults."""
    config, environ = dict(config or {}), os.environ if environ is None else environ
    values = {}
    for setting in SETTINGS:
        if setting.name in CONSOLE:
            variable = ENV_PREFIX + setting.name
            given = setting.name not in config and variable in environ
            values[setting.name] = _parsed(setting, config.get(setting.name, environ.get(variable, setting.default)),
                                           variable if given else None)
    return values


def _parsed(setting: Setting, raw, variable: str | None = None) -> Any:
    """The setting's value; ConfigError, one line naming it (and the environment variable it came from)."""
    try:
        return setting.parse(raw) if raw is not None else None
    except (TypeError, ValueError) as error:
        where = f" (from {variable})" if variable else ""
        raise ConfigError(f"setting {setting.name}{where}: {error}") from None


def store_options(values: dict[str, Any]) -> dict[str, Any]:
    """The options open_store takes for the store `values` name: a remote one's update URL, replicas and
    credentials."""
    if not str(values["STORE"]).startswith(("http://", "https://")):
        return {}
    options = {"update_url": values["STORE_UPDATE_URL"], "user": values["STORE_USER"],
               "password": values["STORE_PASSWORD"], "replicas": values["STORE_REPLICAS"]}
    return {key: value for key, value in options.items() if value}


def public_defaults() -> dict[str, Any]:
    """The settings whose default differs on a public server, with that default."""
    return {setting.name: setting.public for setting in SETTINGS if setting.public is not _SAME}


MIN_TOKEN_BYTES = 32
# Limits a public server must keep on, which others may set to 0 (the other limits are never below 1).
PUBLIC_LIMITS = ("QUERY_BUDGET", "QUEUE_SIZE")
TOKENS = ("UPDATE_TOKEN", "CLIENT_TOKENS")


def public_faults(values: dict[str, Any]) -> list[str]:
    """What makes these settings unsafe for a public server (empty when they are fine)."""
    faults = []
    if values["UPDATES_ENABLED"]:
        faults.append("updates are on (a public server is read-only)")
    if not values["BUDGET_LOOPBACK"]:
        faults.append("BUDGET_LOOPBACK is off (a public server budgets every client; behind a proxy on this "
                      "machine, name it in TRUSTED_PROXIES)")
    for name in PUBLIC_LIMITS:
        value = values[name]
        if value is None or not 0 < value < float("inf"):
            faults.append(f"{name} must be a positive number")
    for name in TOKENS:
        tokens = values[name] if isinstance(values[name], tuple) else (values[name],)
        if any(token is not None and len(token.encode()) < MIN_TOKEN_BYTES for token in tokens):
            faults.append(f"{name} must be at least {MIN_TOKEN_BYTES} bytes")
    return faults


_FLASK_KEYS = {"TESTING", "DEBUG", "SERVER_NAME", "SECRET_KEY"}


def stray_environment(environ: dict | None = None) -> list[str]:
    """A warning for each SAHEL_KG_ variable of the environment that no setting reads (kg.setting_names)."""
    return stray_variables(os.environ if environ is None else environ, ENV_PREFIX, [s.name for s in SETTINGS])


def markdown_table() -> str:
    """The settings as a Markdown table, for the README."""
    lines = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    for setting in SETTINGS:
        default = setting.default
        shown = "(none)" if default is None else "(empty)" if default == () else f"`{default}`"
        public = "" if setting.public is _SAME else f" Public default: `{setting.public}`."
        lines.append(f"| `{setting.name}` | `{ENV_PREFIX}{setting.name}` | {shown} | {setting.help}{public} |")
    return "\n".join(lines)
