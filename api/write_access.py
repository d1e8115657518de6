"""What every write (SPARQL Update, the Graph Store) shares: who may write, and the version its answer carries."""

from __future__ import annotations

import hmac

from flask import Response, current_app, request

from api.errors import Problem


def authorize() -> None:
    """Writes need `Authorization: Bearer <UPDATE_TOKEN>`: 401 without it, 403 with another token."""
    expected = current_app.config["UPDATE_TOKEN"]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Unauthorized", "writes need an Authorization: Bearer token",
                      headers={"WWW-Authenticate": 'Bearer realm="sahel-kg"'})
    if not expected or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Problem(403, "Forbidden", "the token does not allow writes")


def changed_response(response: Response, backend) -> Response:
    """A bodiless answer to a write, carrying the dataset's new version."""
    version = backend.version()
    if version is not None:
        response.headers["X-Dataset-Version"] = str(version.number)
    if not response.get_data():
        response.headers.pop("Content-Type", None)  # no body, so no type (Flask would say text/html)
    return response
