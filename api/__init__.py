"""The HTTP layer (Flask). It only translates HTTP to and from kg's query service."""
