"""A store's URL as messages show it: a password written in it as ***, since a terminal's scrollback and a log are
no place for it (kg.store.shown_spec shows a spec so; the remote store's own messages name its URL so)."""

from __future__ import annotations


def shown_url(url: str) -> str:
    """`url` with the password of its user information, if it has one, as ***."""
    scheme, separator, rest = url.partition("://")
    authority, slash, tail = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    user, colon, _ = userinfo.partition(":")
    if not (separator and at and colon):
        return url
    return f"{scheme}://{user}:***@{host}{slash}{tail}"
