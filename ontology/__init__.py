"""The ontology, SHACL shapes and example queries, shipped as package data."""
