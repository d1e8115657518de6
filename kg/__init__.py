"""sahel-kg: a knowledge graph of the Sahel's security relationships, built from sourced claims."""

__version__ = "0.1.0"
