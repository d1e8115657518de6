"""Every setting of the HTTP service, declared once: name, default, type and help.

A setting comes from the `config` mapping given to create_app, else the environment variable
SAHEL_KG_<NAME>, else its default. The README's table is generated from SETTINGS (and tested).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

from kg.errors import ConfigError

ENV_PREFIX = "SAHEL_KG_"


def _boolean(text: str) -> bool:
    lowered = str(text).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _words(text) -> tuple[str, ...]:
    if isinstance(text, (list, tuple)):
        return tuple(text)
    return tuple(word for word in str(text).replace(",", " ").split() if word)


def _optional(text) -> str | None:
    return None if text in (None, "") else str(text)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str


SETTINGS = [
    Setting("STORE", "oxigraph:", str,
            "The store: oxigraph:PATH (embedded, persistent; oxigraph: alone is the default path), memory:, "
            "or the query URL of a SPARQL endpoint."),
    Setting("STORE_UPDATE_URL", None, _optional, "Update URL of a remote endpoint, if not the query URL."),
    Setting("STORE_USER", None, _optional, "User name for a remote endpoint (HTTP basic auth)."),
    Setting("STORE_PASSWORD", None, _optional, "Password for a remote endpoint."),
    Setting("INSTALL_ARTICLE", True, _boolean,
            "Install the article's graphs into an empty embedded store at start-up."),
    Setting("QUERY_TIMEOUT", 10.0, float,
            "Seconds a query may run before it is stopped (503); a request may ask for less with timeout=."),
    Setting("ROW_LIMIT", 10000, int,
            "Most rows (or triples) a response carries; a cut result says so in a header and in JSON."),
    Setting("MAX_BODY_BYTES", 1 << 20, int, "Largest request body accepted (413 beyond, before it is read)."),
    Setting("MAX_QUERY_DEPTH", 64, int, "Deepest nesting of groups a query may have."),
    Setting("SERVICE_ALLOWLIST", (), _words,
            "Endpoints SERVICE may call, separated by spaces or commas; empty refuses every SERVICE."),
    Setting("UPDATES_ENABLED", False, _boolean,
            "Accept SPARQL Update and Graph Store writes (they also need UPDATE_TOKEN)."),
    Setting("UPDATE_TOKEN", None, _optional, "Bearer token that writes must carry."),
    Setting("CORS_ORIGINS", "*", str, "Value of Access-Control-Allow-Origin on query responses; empty turns CORS off."),
    Setting("CACHE_CONTROL", "no-cache", str,
            "Cache-Control of query responses (ETag and Last-Modified are always sent where known)."),
    Setting("QUERY_WORKERS", 2, int,
            "Worker processes per server process that run queries on an embedded on-disk store, so that a "
            "query past its time limit can be killed."),
]


def resolve(config: dict | None = None, environ: dict | None = None) -> dict[str, Any]:
    """Every setting's value, from `config`, else the environment, else its default."""
    config = dict(config or {})
    environ = os.environ if environ is None else environ
    unknown = sorted(set(config) - {s.name for s in SETTINGS} - _FLASK_KEYS)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
    values = {}
    for setting in SETTINGS:
        raw = config.get(setting.name, environ.get(ENV_PREFIX + setting.name, setting.default))
        try:
            values[setting.name] = setting.parse(raw) if raw is not None else None
        except (TypeError, ValueError) as error:
            raise ConfigError(f"setting {setting.name}: {error}") from None
    values.update({key: config[key] for key in _FLASK_KEYS & set(config)})
    return values


_FLASK_KEYS = {"TESTING", "DEBUG", "SERVER_NAME", "SECRET_KEY"}


def markdown_table() -> str:
    """The settings as a Markdown table, for the README."""
    lines = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    for setting in SETTINGS:
        default = setting.default
        shown = "(none)" if default is None else "(empty)" if default == () else f"`{default}`"
        lines.append(f"| `{setting.name}` | `{ENV_PREFIX}{setting.name}` | {shown} | {setting.help} |")
    return "\n".join(lines)
