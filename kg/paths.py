"""Where the package's data files are, in a source checkout and once installed alike."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
ONTOLOGY_DIR = Path(str(resources.files("kg.ontology")))
ONTOLOGY_FILE = ONTOLOGY_DIR / "sahel.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
QUERIES_DIR = ONTOLOGY_DIR / "queries"
CLAIMS_DIR = DATA_DIR / "claims"  # one claims file per article (*.yaml), each with its article text beside it
CLAIMS_FILE = CLAIMS_DIR / "us-sahel-quiet-ties.yaml"
ARTICLE_FILE = CLAIMS_DIR / "us-sahel-quiet-ties.txt"
BACKGROUND_FILE = DATA_DIR / "background.ttl"  # from Wikidata
UN_SAHEL_FILE = DATA_DIR / "background-un-sahel.ttl"  # from the UN integrated strategy for the Sahel
DEFINITIONS_FILE = DATA_DIR / "definitions.ttl"  # the project's own, with no outside source
ENTITIES_FILE = DATA_DIR / "entities.ttl"
LINKS_FILE = DATA_DIR / "links.csv"
ALIASES_FILE = DATA_DIR / "aliases.csv"
