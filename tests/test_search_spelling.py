"""Words suggested where a search finds nothing: a misspelt word is replaced by the nearest indexed word, in the
library, `kg search` and GET /search (JSON and the page); no suggestion that would itself find nothing."""

from __future__ import annotations

import json
import time

import pytest

from api_fixtures import *  # noqa: F401,F403
from build_fixtures import run_kg
from kg.errors import QueryTimeout
from kg.query import QueryService
from kg.search import SearchError, SearchIndex, match_expression
from kg.search_source import service_select
from kg.search_spelling import folded
from kg.store import open_store
from test_search import index  # noqa: F401  (the fixture)

SK = "https://sahel-kg.example.org/id/"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize("typed, suggested, found", [
    ("alliance of sahel stats", "alliance of sahel states", "aes"),  # a letter left out
    ("Mlai", "mali", "mali"),  # two letters swapped: one edit
    ("JNMI", "jnim", "jnim"),
    ("Burkina Fasso", "Burkina faso", "burkina-faso"),  # a word that matches is kept as typed
])
def test_a_misspelt_word_is_replaced_by_the_nearest_indexed_word(index, typed, suggested, found):
    assert index.search(typed) == []
    assert index.suggestion(typed) == suggested
    assert SK + found in {hit.iri for hit in index.search(suggested)}


@pytest.mark.parametrize("typed", [
    "xyzzy",  # nothing near
    "Mxxi",  # two edits from mali, and four letters take one
    "humanitarian zeppelin",  # zeppelin is near no indexed word
    "Mlai Nigre Burkna Fsao Chda",  # five slips: a sentence of another kind, not a typing slip
])
def test_no_word_near_enough_suggests_nothing(index, typed):
    assert index.search(typed) == [] and index.suggestion(typed) is None


def test_words_that_would_still_find_nothing_are_not_suggested():
    """Each word has a near one, but no thing has both: suggesting them would lead to nothing again."""
    with open_store("memory:") as store:
        store.update('INSERT DATA { <http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "Mali" . '
                     '<http://example.org/b> <http://www.w3.org/2000/01/rdf-schema#label> "Niger" }')
        alone = SearchIndex()
        alone.ensure("1", service_select(QueryService(store)))
        assert alone.suggestion("Mlai") == "mali" and alone.suggestion("Mlai Nigre") is None
        alone.close()


def test_words_are_folded_as_the_index_folds_them():
    assert folded("États") == "etats" and folded("Türkiye") == "turkiye"


def test_a_suggestion_keeps_the_searchs_limits(index):
    with pytest.raises(SearchError):
        index.suggestion(" ?! ")
    with pytest.raises(QueryTimeout):
        index.suggestion("Mlai", deadline=time.monotonic() - 1)


def test_kg_search_says_what_it_suggests():
    result = run_kg("search", "--store", "oxigraph:", "Mlai")
    assert result.exit_code == 0 and result.stdout == "" and "0 hit(s)\ndid you mean: mali\n" in result.stderr
    document = json.loads(run_kg("search", "--store", "oxigraph:", "--json", "Mlai").stdout)
    assert document == {"query": "Mlai", "results": [], "suggestion": "mali"}
    assert json.loads(run_kg("search", "--store", "oxigraph:", "--json", "Mali").stdout)["suggestion"] is None


def test_search_over_http_suggests_words_in_json_and_on_the_page(client):
    assert client.get("/search?q=Mlai").get_json() == {"query": "Mlai", "results": [], "suggestion": "mali"}
    assert client.get("/search?q=Mali").get_json()["suggestion"] is None
    assert client.get("/search?q=xyzzy").get_json()["suggestion"] is None
    page = client.get("/search?q=alliance+of+sahel+stats", headers=BROWSER).get_data(as_text=True)
    assert 'Did you mean\n<a href="/search?q=alliance+of+sahel+states"><q dir="auto">alliance of sahel states</q></a>?' \
        in page


def test_the_pages_searches_again_keep_the_searchs_other_parameters(client):
    """The "Did you mean" link was /search?q=mali alone, and the search box sent q alone: limit=3 was lost."""
    page = client.get("/search?q=Mlai&limit=3&from=home", headers=BROWSER).get_data(as_text=True)
    assert '<a href="/search?q=mali&amp;limit=3&amp;from=home"><q dir="auto">mali</q></a>?' in page
    start = page.index('<form class="search-form"')
    box = page[start:page.index("</form>", start)]
    assert '<input type="hidden" name="limit" value="3">' in box and 'name="from" value="home"' in box
    assert 'type="hidden" name="q"' not in box
    empty = client.get("/search?limit=3", headers=BROWSER).get_data(as_text=True)  # the box alone keeps it too
    assert '<input type="hidden" name="limit" value="3">' in empty


def test_a_suggestion_longer_than_a_search_may_be_is_none_not_a_refusal(client):
    """Words of 1,000 characters, as many as a search takes, whose suggestion is longer ("Mli" is "mali"): the
    search found nothing, and was a 400 saying the words had 1004 characters, which the client never sent."""
    typed = " ".join(["mali"] * 197 + ["Mli"] * 4)
    assert len(typed) == 1000
    answer = client.get("/search", query_string={"q": typed})
    assert answer.status_code == 200 and answer.get_json()["results"] == []
    assert answer.get_json()["suggestion"] is None


def test_an_underscore_parts_words_as_the_index_reads_it(index, client):
    """FTS5 reads _ as punctuation: `_` alone was searched as a word (finding nothing, suggesting "a") where `?!` is
    refused for having none, and `Mlai_` suggested nothing, as no indexed word is one edit from "mlai_"."""
    assert match_expression("mali_niger") == '"mali"* AND "niger"*'
    assert client.get("/search?q=_").status_code == 400
    assert client.get("/search?q=Mlai_").get_json()["suggestion"] == "mali"
    assert index.suggestion("Mlai_") == "mali"


def test_a_slip_typed_again_is_one_word_replaced(index):
    """A word given twice counts once in a search, but each copy of a slip counted as a word replaced: five copies
    of Mlai passed the most (four) and suggested nothing."""
    assert index.suggestion("Mlai Mlai Mlai Mlai Mlai") == "mali mali mali mali mali"
    assert index.suggestion("Mlai mlai MLAÍ Nigre Burkna Fsao") == "mali mali mali niger burkina faso"
