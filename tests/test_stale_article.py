"""A store holds the article as built from the inputs of its day: where the shipped inputs have changed since (a
`git pull`), `kg serve` and `kg info` say so and name the command that rebuilds it; `make serve` served the old
article without a word (helper-199)."""

from __future__ import annotations

from build_fixtures import run_kg, two_articles  # noqa: F401  (a fixture)
from kg.namespaces import DEFAULT_BASE, PREFIXES
from kg.publish import install, stale_inputs
from kg.serve_checks import prepare_store
from kg.store.oxigraph import OxigraphStore

PROVENANCE = f"{DEFAULT_BASE}graph/provenance"
ENTITIES = f"{DEFAULT_BASE}build/input/entities/entities.ttl"
# The build's record of entities.ttl's digest, as if the file had changed since the store's build
OLD_DIGEST = f"""PREFIX sahel: <{PREFIXES['sahel']}>
DELETE {{ GRAPH <{PROVENANCE}> {{ <{ENTITIES}> sahel:sha256 ?old }} }}
INSERT {{ GRAPH <{PROVENANCE}> {{ <{ENTITIES}> sahel:sha256 "{'0' * 64}" }} }}
WHERE {{ GRAPH <{PROVENANCE}> {{ <{ENTITIES}> sahel:sha256 ?old }} }}"""


def installed_store(path) -> str:
    with OxigraphStore(path) as store:
        install(store)
        assert stale_inputs(store) == []
        store.update(OLD_DIGEST)
        assert stale_inputs(store) == ["entities/entities.ttl"]
    return f"oxigraph:{path}"


def test_an_article_built_before_its_inputs_changed_is_said_by_serve_and_info(tmp_path):
    spec = installed_store(tmp_path / "store")
    [warning] = prepare_store(spec, install=True)
    assert "other versions of its inputs than this checkout's (entities/entities.ttl)" in warning
    # a store other than the default one is named in the command (kg serve's gave `kg build --install` alone)
    assert f"`kg build --install --store {spec}`" in warning
    done = run_kg("info", "--store", spec)
    assert done.exit_code == 0 and "warning: the store holds the article as built from other versions of its inputs" \
        in done.stderr
    assert run_kg("build", "--install", "--store", spec).exit_code == 0
    assert prepare_store(spec, install=True) == [] and "warning" not in run_kg("info", "--store", spec).stderr


def test_a_store_of_other_data_or_no_build_is_not_judged(tmp_path):
    with OxigraphStore(tmp_path / "store") as store:
        store.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 1 } }")
        assert stale_inputs(store) == []


def test_a_claims_file_shipped_since_the_build_is_said(tmp_path):
    """A pull that adds an article's claims file: the build's record lacks it, and stale_inputs said nothing at all
    where the record and the shipped files differed in number (helper-203)."""
    with OxigraphStore(tmp_path / "store") as store:
        install(store)
        claims = f"{DEFAULT_BASE}build/input/claims/us-sahel-quiet-ties.yaml"
        store.update(f"DELETE WHERE {{ GRAPH <{PROVENANCE}> {{ <{claims}> ?p ?o }} }}")
        assert stale_inputs(store) == ["claims/us-sahel-quiet-ties.yaml"]
        store.update(OLD_DIGEST)
        assert stale_inputs(store) == ["claims/us-sahel-quiet-ties.yaml", "entities/entities.ttl"]


def test_a_build_of_other_claims_files_is_judged_by_the_shipped_inputs_it_shares(two_articles, tmp_path):
    with OxigraphStore(tmp_path / "store") as store:
        install(store, two_articles)  # the shipped article and an invented second one (tests/fixtures)
        assert stale_inputs(store) == []
        store.update(OLD_DIGEST)
        assert stale_inputs(store) == ["entities/entities.ttl"]


def test_kg_serve_and_kg_info_on_a_remote_store_say_it_too(oxigraph_url):
    """kg serve over a remote store said nothing: only an embedded store was prepared in a child (helper-203)."""
    from kg.serve_checks import remote_stale
    from kg.store.remote import RemoteStore

    update_url = oxigraph_url.rsplit("/", 1)[0] + "/update"
    with RemoteStore(oxigraph_url, update_url=update_url) as store:
        install(store)
        store.update(OLD_DIGEST)
        try:
            [warning] = remote_stale(oxigraph_url)
            info = run_kg("info", "--store", oxigraph_url)
        finally:  # the session's engine serves other tests: its build as it was
            install(store)
    assert f"(entities/entities.ttl); `kg build --install --store {oxigraph_url}`" in warning
    assert warning in info.stderr
