"""The `kg` command line. Only this module turns the library's errors into messages and exit codes."""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from pathlib import Path

import click

from kg import __version__
from kg.errors import KGError

EXIT_ERROR = 1  # click itself exits 2 on bad usage


def reports_errors(command):
    """Print a library error as one plain line on stderr and exit 1, never a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except KGError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_ERROR)
        except OSError as error:
            click.echo(f"error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), err=True)
            sys.exit(EXIT_ERROR)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main():
    """sahel-kg: build, check and query the Sahel security knowledge graph."""


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never a part."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _inputs(claims_file):
    """The build's inputs: the shipped files, with another claims file if one is given."""
    from kg.build import Inputs

    return Inputs(claims=Path(claims_file)) if claims_file else Inputs()


@main.command()
@click.option("--out", "out", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="File to write the dataset to ('-' for standard output).")
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads", "turtle", "jsonld"]), default="trig",
              show_default=True, help="Serialisation; turtle merges all graphs into one.")
@click.option("--base", default=None, help="Base IRI for the project's own IRIs (default: the built-in one).")
@click.option("--claims", "claims_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Claims file to build from (default: the shipped kg/data/claims.yaml).")
@reports_errors
def build(out, fmt, base, claims_file):
    """Build the dataset from the ontology and the article's claims.

    Every claim becomes a named graph; its quote, offsets, claimer, modality and valid time go to the
    provenance graph. Nothing is written if any claim fails its checks.
    """
    from kg.build import build as build_dataset, serialize
    from kg.namespaces import DEFAULT_BASE

    result = build_dataset(_inputs(claims_file), base=base or DEFAULT_BASE)
    data = serialize(result.dataset, fmt)
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomically(Path(out), data)
    click.echo(f"built {result.claims} claims, {result.triples} triples in {result.graphs} graphs", err=True)


@main.command()
@click.argument("dataset_file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--claims", "claims_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Claims file to build from when no DATASET_FILE is given (default: the shipped one).")
@reports_errors
def validate(dataset_file, claims_file):
    """Check a dataset against the SHACL shapes; exit 1 if anything violates them.

    DATASET_FILE is a TriG or N-Quads file; without it, the dataset is built from the shipped claims
    (or from --claims).
    """
    from kg.build import build as build_dataset
    from kg.validate import read_dataset, validate as run_shacl

    if dataset_file and claims_file:
        raise click.UsageError("give either DATASET_FILE or --claims, not both")
    dataset = read_dataset(Path(dataset_file)) if dataset_file else \
        build_dataset(_inputs(claims_file)).dataset
    violations = run_shacl(dataset)
    for violation in violations:
        click.echo(str(violation))
    if violations:
        click.echo(f"{len(violations)} violation(s)", err=True)
        sys.exit(EXIT_ERROR)
    click.echo("conforms: no SHACL violations", err=True)
