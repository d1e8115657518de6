"""The `kg` command line: its group, the dataset's commands (build, validate, claims, links, events), and the
others (kg.cli_load, kg.cli_store, kg.cli_update, kg.cli_front) added to it. Only the CLI turns the library's
errors into messages and exit codes (kg.cli_support)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import __version__
from kg.cli_front import serve, shell
from kg.cli_load import load
from kg.cli_store import export, info, query, search
from kg.cli_update import update
from kg.cli_params import BaseIRI, ClaimsPath, GraphIRI, OutputFile
from kg.cli_support import (EXIT_ERROR, Commands, dataset_format, given, graph_option, reports_errors, say_error,
                            store_option, write_out)
from kg.output_files import write_atomically

BUILD_FORMATS = ("trig", "nquads", "jsonld")  # each keeps the named graphs: Turtle would drop them
# kg validate's --format, named as kg load's are, and the names kg.validate reads them by
VALIDATE_FORMATS = {"trig": "trig", "nquads": "nquads", "turtle": "turtle", "ntriples": "nt"}


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main():
    """sahel-kg: build, check and query the Sahel security knowledge graph."""
    from kg.settings import stray_environment
    from kg.table import printable

    for line in stray_environment():  # a mistyped variable would be ignored without a word
        click.echo(printable(f"warning: {line}"), err=True)


def _inputs(claims):
    """The build's inputs: the shipped files, with other claims files or folders if given."""
    from kg.build import Inputs

    return Inputs(claims=tuple(Path(path) for path in claims)) if claims else Inputs()


@main.command()
@click.option("--out", "out", type=OutputFile(allow_dash=True), default=None,
              help="File to write the dataset to ('-' for standard output). Default: standard output, "
                   "or nothing with --install.")
@click.option("--format", "fmt", type=click.Choice(BUILD_FORMATS),
              help="Serialisation (default: from the --out name, .trig, .nq or .jsonld; trig on standard output; "
                   "a name of another format, Turtle's .ttl among them, is refused).")
@click.option("--base", type=BaseIRI(), default=None,
              help="Base IRI for the project's own IRIs, ending in '/' (default: the built-in one).")
@click.option("--claims", "claims_file", type=ClaimsPath(), multiple=True,
              help="A claims file, or a folder of them (*.yaml, one per article), to build from; repeatable "
                   "(default: the shipped folder kg/data/claims).")
@click.option("--install", is_flag=True,
              help="Also replace the article's graphs in the store (--store) with the new build.")
@click.option("--store", "store_spec", envvar="SAHEL_KG_STORE", default="oxigraph:",
              show_default=True, help="The store --install writes to (see `kg query --help`). Env: SAHEL_KG_STORE.")
@reports_errors
def build(out, fmt, base, claims_file, install, store_spec):
    """Build the dataset from the ontology and the article's claims.

    Every claim becomes a named graph; its quote, offsets, claimer, modality and valid time go to the
    provenance graph, with a PROV record of the build; what the ontology entails goes to the inferred
    graph. Nothing is written if any claim fails its checks.
    """
    from kg.build import build as build_dataset, serialize
    from kg.namespaces import DEFAULT_BASE
    from kg.table import printable

    if given("store_spec") and not install:
        raise click.UsageError("--store names the store --install writes to, and without --install nothing is "
                               "written to a store; give --install, or leave --store out")
    fmt = dataset_format(out if out != "-" else None, fmt, BUILD_FORMATS)
    result = build_dataset(_inputs(claims_file), base=base or DEFAULT_BASE)
    if install:
        from kg.console import open_configured
        from kg.store import shown_spec
        from kg.publish import install as install_dataset

        with open_configured(store_spec, write=True, install=False) as store:
            install_dataset(store, result, base=base or DEFAULT_BASE)
        click.echo(printable(f"installed into {shown_spec(store_spec)}"), err=True)
    if out == "-" or (out is None and not install):
        write_out([serialize(result.dataset, fmt)], fmt, terminal=sys.stdout.isatty())
    elif out is not None:
        write_atomically(Path(out), serialize(result.dataset, fmt))
    click.echo(result.summary, err=True)


@main.command()
@click.argument("dataset_file", required=False, type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(list(VALIDATE_FORMATS)),
              help="DATASET_FILE's format (default: from its name, else TriG); needed for - (standard input).")
@click.option("--claims", "claims_file", type=ClaimsPath(), multiple=True,
              help="Claims file or folder to build from when no DATASET_FILE is given (default: the shipped "
                   "folder); repeatable.")
@click.option("--owl", is_flag=True,
              help="Also check the ontology against the OWL 2 DL profile and the ontology with the dataset for "
                   "consistency (HermiT); needs Java 11+ and owlready2.")
@reports_errors
def validate(dataset_file, fmt, claims_file, owl):
    """Check a dataset against the SHACL shapes, and a file's dates, numbers and booleans against their XSD
    datatypes; exit 1 if anything fails.

    DATASET_FILE is a TriG, N-Quads, Turtle or N-Triples file (by --format, else its name; else read as TriG),
    - standard input (with --format); without it, the dataset is built from the shipped claims (or from --claims).
    With --owl, also the OWL 2 DL profile and HermiT's consistency check.
    """
    from kg.build import build as build_dataset
    from kg.table import printable
    from kg.validate import checked_nodes, read_dataset, validate as run_shacl, without_graphs
    from kg.waiting_input import held_copy

    if dataset_file and claims_file:
        raise click.UsageError("give either DATASET_FILE or --claims, not both")
    if fmt and not dataset_file:
        raise click.UsageError("--format says how DATASET_FILE is written; give the file, or leave --format out")
    fmt = VALIDATE_FORMATS.get(fmt)
    if dataset_file == "-" and fmt is None:  # as kg load - asks it: no name tells the format
        raise click.BadParameter("standard input (-) has no name to tell its format: give --format",
                                 param_hint="DATASET_FILE")
    if dataset_file == "-":
        with held_copy(sys.stdin.buffer, name="standard input") as copy:
            dataset, violations = read_dataset(copy, fmt, name="standard input")
    else:
        dataset, violations = read_dataset(Path(dataset_file), fmt) if dataset_file else \
            (build_dataset(_inputs(claims_file)).dataset, [])
    violations += run_shacl(dataset)
    for violation in violations:
        click.echo(printable(str(violation)))  # a violation quotes the data
    if owl:
        violations += _owl_problems(dataset)
    if violations:
        click.echo(f"{len(violations)} violation(s)", err=True)
        syntax = dataset_file and without_graphs(Path(dataset_file), fmt)
        if syntax:  # the claims' shapes read each claim's graph, which such a file cannot hold
            click.echo(f"note: {syntax} holds no named graphs, so a claim's graph is empty here; validate a TriG or "
                       "N-Quads file (kg build --out dataset.trig)", err=True)
        sys.exit(EXIT_ERROR)
    checked, targets = checked_nodes(dataset)
    owl_said = ", OWL 2 DL, consistent" if owl else ""
    if checked:
        click.echo(f"conforms: no SHACL violations in the {checked} node(s) the shapes checked{owl_said}", err=True)
    else:  # SHACL conforms where nothing is targeted: say so, lest an empty or unrelated file pass for checked
        click.echo(f"conforms, but no node was checked: the data holds nothing the shapes target "
                   f"({', '.join(targets[:6])}, …){owl_said}", err=True)


def _owl_problems(dataset) -> list[str]:
    """The OWL 2 DL profile violations of the ontology graph, and inconsistency of the whole dataset."""
    from rdflib import URIRef

    from kg.namespaces import graph_iri
    from kg.owl_check import check
    from kg.table import printable
    from kg.validate import union

    problems = []
    profile = check(dataset.graph(URIRef(graph_iri("ontology"))))
    problems += [f"OWL 2 DL: {violation}" for violation in profile.violations]
    problems += [f"OWL 2 DL: datatype outside the OWL 2 datatype map: {iri}" for iri in
                 sorted(profile.outside_datatype_map)]
    if not check(union(dataset), ignore_unsupported_datatypes=True).consistent:
        problems.append("HermiT: the ontology and the data are inconsistent")
    for problem in problems:
        click.echo(printable(problem))
    return problems


@main.group()
def claims():
    """Work on claims files (one per article)."""


@claims.command("draft")
@click.argument("article", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "article_id", required=True, help="The new article's id (lower case, hyphens), unused so far.")
@click.option("--out", type=OutputFile(path_type=Path),
              help="Where to write the skeleton (default: ID.yaml beside the article).")
@click.option("--claims-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of the claims files whose article ids are taken (default: the shipped kg/data/claims).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@reports_errors
def claims_draft(article, article_id, out, claims_dir, force):
    """Write a claims file skeleton for ARTICLE (a UTF-8 text file) for a curator to complete.

    One entry per sentence with its verbatim quote and offsets, the entities it mentions, and cues
    (attribution, hedges, time expressions) as comments. It asserts no triple. Exit status 2 if the
    article is missing, not UTF-8 or holds no sentence, the id is taken, or the output exists (without --force).
    """
    from kg import paths
    from kg.drafting import NO_TITLE, DraftError, draft
    from kg.table import printable

    target = out or Path(article).parent / f"{article_id}.yaml"
    try:
        text = draft(article, article_id, out=target, claims_dir=claims_dir or paths.CLAIMS_DIR, force=force)
    except DraftError as error:
        say_error(str(error))
        sys.exit(2)
    entries = text.count("\n  - id: ")
    click.echo(printable(f"wrote {target}: {entries} sentence entries to complete"), err=True)
    if NO_TITLE in text:
        click.echo(printable(f"warning: {article} has no title line; fill in article.title in {target}"), err=True)


@main.group()
def links():
    """Links to other datasets (Wikidata, GeoNames, DBpedia) and their sources."""


@links.command("check")
@store_option
@reports_errors
def links_check(store_spec):
    """Report entities without links, and links or aliases without a source (exit 1 if any of those).

    An entity without links is no fault (identifiers are never guessed); it is listed so that one can
    look for a source.
    """
    from kg.console import open_configured
    from kg.links import check
    from kg.query import QueryService
    from kg.table import printable

    with open_configured(store_spec) as store:
        found = check(QueryService(store))
    for entity, name in found.unlinked:
        click.echo(printable(f"unlinked: <{entity}> {name}"))
    for entity, predicate, target in found.links_without_source:
        click.echo(printable(f"link without a source: <{entity}> <{predicate}> <{target}>"))
    for entity, alias in found.aliases_without_source:
        click.echo(printable(f"alias without a source: <{entity}> '{alias}'"))  # not repr(): it escapes joiners
    click.echo(f"{len(found.unlinked)} unlinked entities, {len(found.links_without_source)} links and "
               f"{len(found.aliases_without_source)} aliases without a source", err=True)
    if not found.ok:
        sys.exit(EXIT_ERROR)


@main.group()
def events():
    """Conflict event tables (ACLED-style CSV) mapped onto the ontology with RML."""


@events.command("load")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The RML mapping (default: the shipped ACLED-style one, kg/mappings/acled-events.rml.ttl).")
@click.option("--graph", type=GraphIRI(),
              help="The named graph for the events (default: one per file, from its sha256).")
@store_option
@reports_errors
def events_load(table, mapping, graph, store_spec):
    """Map TABLE with the RML mapping (run by morph-kgc) into its own graph, replacing an earlier load of it.

    Actor and country names are linked to the graph's entities when they match a name exactly and
    unambiguously; other names get candidate records only. The load is recorded (file, sha256,
    mapping, time) in the loads graph.
    """
    from kg.console import open_configured
    from kg.events import DEFAULT_MAPPING, load_events
    from kg.table import printable

    with graph_option(graph), open_configured(store_spec, write=True) as store:
        report = load_events(store, table, mapping=mapping or DEFAULT_MAPPING, graph=graph)
    linked = sum(1 for name in report.names if name.entity)
    click.echo(printable(f"{table}: {report.triples} triples, {report.events} events into <{report.graph}>; linked "
                         f"{linked} of {len(report.names)} names exactly (the others are candidates); record "
                         f"{report.record}"), err=True)


for _command in (load, query, update, info, search, export, shell, serve):
    main.add_command(_command)
