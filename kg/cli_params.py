"""The kinds of value `kg` options take (sizes, seconds, IRIs, output files, claims paths, endpoint URLs), each
checked before a command starts: a bad one is a usage error (exit 2) naming the option."""

from __future__ import annotations

import os
import re

import click

from kg.errors import quoted


class ByteSize(click.ParamType):
    """A number of bytes, optionally with a K, M or G suffix (powers of 1024)."""

    name = "size"
    _UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

    def convert(self, value, param, ctx):
        found = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", str(value), re.IGNORECASE | re.ASCII)
        if not found or int(found[1]) == 0:
            self.fail(f"{quoted(value)} is not a size such as 1000, 500K, 20M or 2G", param, ctx)
        return int(found[1]) * self._UNITS[found[2].upper()]


class Seconds(click.ParamType):
    """A time limit in seconds, read as the settings read one: more than 0, at most 10^9, never inf or nan."""

    name = "seconds"

    def convert(self, value, param, ctx):
        from kg.settings import SECONDS

        try:
            return SECONDS(value.strip() if isinstance(value, str) else value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


class GraphIRI(click.ParamType):
    """A named graph's IRI, absolute, or compact over the project's prefixes (`sk:mine`), as --bind and queries
    write them (whether it is one of the project's own graphs depends on the store)."""

    name = "iri"

    def convert(self, value, param, ctx):
        import pyoxigraph

        from kg.iri_resolution import bidi_fault, iri_fault
        from kg.namespaces import PREFIXES

        prefix, colon, local = str(value).partition(":")
        if colon and prefix in PREFIXES and not local.startswith("//"):  # <sk:mine> would be a graph no query names
            value = PREFIXES[prefix] + local
        try:
            iri = pyoxigraph.NamedNode(str(value)).value
        except ValueError as error:
            self.fail(iri_fault(str(value), error, "this option takes an absolute IRI, resolved against nothing; "
                                                   "write it whole"), param, ctx)
        if bidi := bidi_fault(iri):
            self.fail(bidi, param, ctx)
        return iri


class BaseIRI(GraphIRI):
    """The base of the project's own IRIs: absolute, ending in '/', as the IRIs made from it need."""

    def convert(self, value, param, ctx):
        iri = super().convert(value, param, ctx)
        if not iri.endswith("/"):  # the graphs would be <...kggraph/loads>
            self.fail(f"{quoted(value)} does not end in '/'", param, ctx)
        return iri


class OutputFile(click.Path):
    """A file to write: click.Path with dir_okay=False, refusing an empty name (which opened ".", a folder) and
    a name in a folder that is not there, before any work is done."""

    def __init__(self, **options):
        super().__init__(dir_okay=False, **options)

    def convert(self, value, param, ctx):
        if not str(value):
            self.fail("an empty name names no file", param, ctx)
        if not (self.allow_dash and str(value) == "-"):
            # a link is written through to its target (kg.output_files), so the target's folder must be there
            folder = os.path.dirname(os.path.realpath(os.fspath(value)))
            if not os.path.isdir(folder):
                name = os.fspath(value)
                self.fail(f"{quoted(folder)} is a file, not a folder {quoted(name)} can be written in" if os.path.exists(folder)
                          else f"there is no folder {quoted(folder)} to write {quoted(name)} in; make it first", param, ctx)
        return super().convert(value, param, ctx)


class ClaimsPath(click.Path):
    """A claims file, or a folder of them: a folder without one is bad usage (exit 2), as a path that is not
    there is, rather than a build error (exit 1) once the command has started."""

    def __init__(self):
        super().__init__(exists=True)

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)
        if os.path.isdir(path):
            from kg.build import claims_in

            if not claims_in(path):
                self.fail(f"folder {quoted(os.fspath(path))} holds no claims files (*.yaml)", param, ctx)
        return path


class EndpointURL(click.ParamType):
    """A SPARQL endpoint's URL: http:// or https://, with a host."""

    name = "url"

    def convert(self, value, param, ctx):
        from kg.store import url_fault

        fault = url_fault(str(value))
        if fault:
            self.fail(f"{quoted(value)} is not an http(s):// URL of a SPARQL endpoint: {fault}", param, ctx)
        return str(value)
