"""Every redirect the server sends (303 to a document, 308 to a route's trailing slash), one shape for all:
Location, and a body only a browser reads, the short hypertext note RFC 9110 §15.4 asks for."""

from __future__ import annotations

from html import escape

from flask import Response
from werkzeug.http import HTTP_STATUS_CODES

from api.negotiation import prefers_html

NOTE = ('<!doctype html>\n<html lang=en>\n<meta charset=utf-8>\n<title>{status}</title>\n'
        '<p>{status}: <a href="{href}">{href}</a>\n')


def redirect(location: str, code: int) -> Response:
    """A `code` redirect to `location`: an HTML note for a browser, an empty body (no Content-Type) for others,
    which follow Location and would otherwise be handed HTML whatever they asked for (Turtle, JSON)."""
    response = Response(status=code)
    response.headers["Location"] = location
    if prefers_html():
        response.set_data(NOTE.format(status=HTTP_STATUS_CODES[code], href=escape(location)))
        response.mimetype = "text/html"
    else:
        del response.headers["Content-Type"]
    response.vary.add("Accept")  # the body is a page or nothing, by Accept
    return response
