"""What an RDF file's name says it holds: its suffix (after any .gz) mapped to the name of its format, one table
for the files `kg load` reads and the files the CLI writes. Kept free of imports, so the CLI starts quickly."""

from __future__ import annotations

# The formats a dataset file may be read from: TriG, N-Quads and JSON-LD hold named graphs, Turtle its default
# graph only (so `kg build` and `kg export` refuse to write it: kg.cli_support.dataset_format).
DATASET_SUFFIXES = {".trig": "trig", ".nq": "nquads", ".nquads": "nquads", ".ttl": "turtle", ".turtle": "turtle",
                    ".jsonld": "jsonld", ".json": "jsonld"}
# Every RDF format the store reads and writes.
RDF_SUFFIXES = {**DATASET_SUFFIXES, ".nt": "ntriples", ".rdf": "rdfxml", ".owl": "rdfxml", ".xml": "rdfxml"}
