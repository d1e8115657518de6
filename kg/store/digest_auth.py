"""HTTP Digest access authentication (RFC 7616) for one request: the Authorization header answering an engine's
challenge. Virtuoso's authenticated SPARQL endpoint (/sparql-auth) takes Digest only, never Basic."""

from __future__ import annotations

import hashlib
import os
import re

_PARAMETER = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')
_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def digest_challenge(header: str) -> dict[str, str] | None:
    """The parameters of a WWW-Authenticate header's Digest challenge (realm, nonce, qop...), or None."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    return {name.lower(): re.sub(r"\\(.)", r"\1", quoted) if quoted or not bare else bare
            for name, quoted, bare in _PARAMETER.findall(rest)}


def digest_authorization(challenge: dict[str, str], user: str, password: str, method: str, uri: str, *,
                         cnonce: str | None = None) -> str:
    """The Authorization header value answering `challenge` for `method` on `uri` (the request target); the
    client nonce is random unless given.

    ValueError for an algorithm other than MD5 or SHA-256 (each possibly -sess)."""
    algorithm = challenge.get("algorithm", "MD5")
    base = algorithm.upper().removesuffix("-SESS")
    if base not in _HASHES:
        raise ValueError(f"the server asks for Digest with {algorithm}, which this client does not speak")

    def hashed(text: str) -> str:
        return _HASHES[base](text.encode("utf-8")).hexdigest()

    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
    cnonce, count = cnonce or os.urandom(8).hex(), "00000001"
    secret = hashed(f"{user}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        secret = hashed(f"{secret}:{nonce}:{cnonce}")
    target = hashed(f"{method}:{uri}")
    offered = [option.strip() for option in challenge.get("qop", "").split(",") if option.strip()]
    fields = {"username": user, "realm": realm, "nonce": nonce, "uri": uri, "algorithm": algorithm}
    if "auth" in offered:
        fields["response"] = hashed(f"{secret}:{nonce}:{count}:{cnonce}:auth:{target}")
        fields.update(qop="auth", nc=count, cnonce=cnonce)
    else:  # RFC 2069's form, for a server that offers no qop
        fields["response"] = hashed(f"{secret}:{nonce}:{target}")
    if "opaque" in challenge:
        fields["opaque"] = challenge["opaque"]
    bare = {"algorithm", "qop", "nc"}
    return "Digest " + ", ".join(f"{name}={value}" if name in bare else f'{name}="{_quoted(value)}"'
                                 for name, value in fields.items())


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
