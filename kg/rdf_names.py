"""What an RDF file's name says it holds: its suffix (after any .gz) mapped to the name of its format, one table
for the files `kg load` reads and the files the CLI writes. Kept free of imports, so the CLI starts quickly."""

from __future__ import annotations

# The formats that can hold a whole dataset, named graphs and all (Turtle and JSON-LD its default graph only).
DATASET_SUFFIXES = {".trig": "trig", ".nq": "nquads", ".nquads": "nquads", ".ttl": "turtle", ".turtle": "turtle",
                    ".jsonld": "jsonld", ".json": "jsonld"}
# Every RDF format the store reads and writes.
RDF_SUFFIXES = {**DATASET_SUFFIXES, ".nt": "ntriples", ".rdf": "rdfxml", ".owl": "rdfxml", ".xml": "rdfxml"}
