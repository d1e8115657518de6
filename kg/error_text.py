"""What of an HTTP error answer goes into a message: its status line and at most one short line of plain text,
never a web page's markup or words, nor a multi-line blob (a stack trace, a page of text)."""

from __future__ import annotations

MAX_LINE = 200  # characters of an answer's text kept in a message
WEB_PAGE_TYPES = ("text/html", "application/xhtml+xml")
WEB_PAGE = "a web page rather than a SPARQL answer (is this a SPARQL endpoint?)"


def is_web_page(text: str, media_type: str | None) -> bool:
    """Whether an answer is a web server's page (HTML) rather than an engine's words."""
    start = text.lstrip()[:15].lower()
    return (media_type or "").lower() in WEB_PAGE_TYPES or start.startswith(("<!doctype", "<html", "<?xml"))


def first_line(text: str, limit: int = MAX_LINE) -> str:
    """The first line of text that is not blank, its spaces folded, cut at `limit`; `…` says more was left out."""
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[0]
    if len(line) > limit:
        return line[:limit - 1].rstrip() + "…"
    return line + (" …" if len(lines) > 1 else "")


def answer_detail(body: bytes | str, media_type: str | None) -> str:
    """An error answer's words for a message: that it is a web page (whose words are a web server's, not the
    engine's), else its first line."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return WEB_PAGE if is_web_page(text, media_type) else first_line(text)
