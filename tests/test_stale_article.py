"""A store holds the article as built from the inputs of its day: where the shipped inputs have changed since (a
`git pull`), `kg serve` and `kg info` say so and name the command that rebuilds it; `make serve` served the old
article without a word (helper-199)."""

from __future__ import annotations

from build_fixtures import run_kg
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
    assert "built before its inputs changed (entities/entities.ttl)" in warning and "kg build --install" in warning
    done = run_kg("info", "--store", spec)
    assert done.exit_code == 0 and "warning: the store holds the article as built before its inputs changed" \
        in done.stderr
    assert run_kg("build", "--install", "--store", spec).exit_code == 0
    assert prepare_store(spec, install=True) == [] and "warning" not in run_kg("info", "--store", spec).stderr


def test_a_store_of_other_data_or_no_build_is_not_judged(tmp_path):
    with OxigraphStore(tmp_path / "store") as store:
        store.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 1 } }")
        assert stale_inputs(store) == []
