"""A page of a resource that 300,000 statements point at (sk:mali) costs no more than any other's."""

from __future__ import annotations

import re

from kg.paths import QUERIES_DIR


def test_fragment_nodes_follow_only_links_going_out_of_the_resource():
    """Links into the resource are not read: a resource pointed at 300,000 times costs no more (5.3 s before)."""
    text = (QUERIES_DIR / "pages" / "fragment-nodes.rq").read_text(encoding="utf-8")
    patterns = re.findall(r"[{.]\s*(\?\w+)\s+\?\w+\s+(\?\w+)", text)
    assert patterns and all(obj != "?this" for _, obj in patterns)
