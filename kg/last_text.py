"""What a function made of the last long text it was given: the HTTP layer and then the query service look at a
request's text several times, and a long one would be lexed each time."""

from __future__ import annotations

# Texts up to this many characters are kept a few at a time in lru_caches (kg.sparql_lexer.KEPT); a longer
# one only while it is the last one given.
CACHED_TEXT = 4096


class LastText:
    """One function's answer for the last long text given to it, the text compared whole (so another text's
    answer is never taken)."""

    def __init__(self):
        self._entry = ("", None)  # (text, answer)

    def get(self, text: str):
        """The answer kept for `text`, or None."""
        kept, answer = self._entry
        return answer if kept == text else None

    def put(self, text: str, answer) -> None:
        """Keep `answer` for `text` if it is long (shorter texts are left to the caller's lru_cache)."""
        if len(text) > CACHED_TEXT:
            self._entry = (text, answer)

    def of(self, text: str, make):
        """make(text), kept as put() keeps it."""
        answer = self.get(text)
        if answer is None:
            answer = make(text)
            self.put(text, answer)
        return answer

