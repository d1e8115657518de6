"""An update parsed whole by the embedded store's parser, and never run, before any store runs it: a remote
engine's lenient parser (Virtuoso's) ran updates the embedded store refuses, such as one whose group is left open."""

from __future__ import annotations

import uuid

import pyoxigraph

from kg.store.base import syntax_error

# A valid update goes on validly with one of these: after its last operation, a ';' then more; after a ';' or
# a prologue ending it (or as a whole), an operation. Neither completes a text that is not an update: each
# starts on a line of its own with ';' or INSERT DATA, which nothing left open takes.
_JOINTS = ("\n;\n", "\n")


def check_whole_update(text: str) -> None:
    """Raise QuerySyntaxError where the embedded store's parser rejects the update `text`, placed as that store
    places it; run nothing. Nest brackets no deeper than kg.store.merge.MAX_NESTING first (the parser recurses)."""
    label = f"_:kg{uuid.uuid4().hex}"
    # Two INSERT DATA sharing a blank node: an error SPARQL Update gives, and the parser checks, once the whole
    # request has parsed. A text it ends in that error for our label has parsed, and nothing of it has run.
    sentinel = f"INSERT DATA {{ {label} <urn:x:x> 1 }} ;\nINSERT DATA {{ {label} <urn:x:x> 1 }}"
    for joint in _JOINTS:
        try:
            pyoxigraph.Store().update(text + joint + sentinel)
        except SyntaxError as error:
            if label in str(error):
                return
        else:  # the parser took two blocks sharing a blank node (a pyoxigraph that no longer checks it?)
            raise RuntimeError("pyoxigraph ran an update sharing a blank node between INSERT DATA blocks")
    try:  # neither goes on validly: `text` is no update, and the parser refuses it before running any of it
        pyoxigraph.Store().update(text)
    except SyntaxError as error:
        raise syntax_error(str(error)) from None
    raise RuntimeError(f"pyoxigraph took an update the check found malformed: {text[:200]!r}")
