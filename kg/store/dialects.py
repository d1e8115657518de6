"""What each remote engine does differently from SPARQL 1.1 as the API uses it, declared once.

A remote store picks its dialect from the `Server` header of the engine's first answer. Every row
says what the engine does and which test shows it; the README's table of engines repeats them.
Everything else the API sends is the portable subset: BASE before PREFIX, the dataset as protocol
parameters, blank nodes only where the engine takes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.store.merge import CREATED_GRAPH, MERGE_GRAPH


@dataclass(frozen=True)
class Dialect:
    """One engine's differences; the defaults are those of an engine that follows SPARQL 1.1."""

    name: str
    # Where the merge of the named graphs is kept: None for the engine's own default graph; a named graph
    # where the engine has no default graph proper (its default graph is the union of all graphs).
    merge_graph: str | None = None
    # DROP ALL / CLEAR ALL / NAMED empty every graph; else the store drops the graphs it lists.
    drop_all: bool = True
    # CLEAR ALL / NAMED drops the graphs it empties (a CLEAR leaves a graph there): the store clears each one.
    clear_all_drops: bool = False
    # Empty named graphs exist (GRAPH <g> {} is true only for graphs the store has); else a graph exists
    # while it holds a triple, and GRAPH <g> {} is true for any IRI.
    empty_graphs: bool = True
    # INSERT DATA may hold blank nodes; else they are sent as INSERT {...} WHERE {...}.
    blank_nodes_in_data: bool = True
    # Some INSERT templates writing several graphs fail (500, yet applied) unless the WHERE binds a value.
    bind_in_where: bool = False
    # DROP GRAPH and CREATE GRAPH (not SILENT) fail or succeed by whether the graph was CREATEd, not by
    # whether it holds triples: the store checks existence itself and sends them SILENT.
    graphs_by_create: bool = False
    # Where the store notes the graphs that exist empty (CREATEd, CLEARed, emptied by a DELETE), on an engine that
    # keeps none: so that a later request finds them as the embedded store does. Hidden, as the merge graph is.
    created_graph: str | None = None
    # The engine's own graphs, hidden from the dataset: GRAPH ?g never matches them (nor the merge).
    system_graphs: tuple[str, ...] = ()
    # GRAPH ?g {} lists the graphs; else the store asks for the graphs that hold a triple.
    enumerates_graphs: bool = True
    # SPARQL 1.2 triple terms (TRIPLE(), <<( )>>) and base directions ("hi"@ar--rtl); else the engine refuses
    # them as a syntax error.
    triple_terms: bool = True
    # Graphs named for the endpoint that they describe as an sd:Service are the engine's too.
    self_description_graphs: bool = False
    # A per-request time limit in milliseconds, by this protocol parameter (None: the engine has none).
    timeout_parameter: str | None = None
    # A server-wide time limit only, which kg serve checks at start-up (oxigraph serve --timeout-s).
    server_timeout: bool = False
    # How the engine says a query ran out of time: a response header and value, or words in the body.
    timeout_header: tuple[str, str] | None = None
    timeout_signs: tuple[str, ...] = ()
    # A header by which the engine says it cut an answer at a row limit of its own.
    cut_header: str | None = None
    # Words in an error body that make it the client's fault: a syntax error, or a request refused as
    # given (the embedded store's EvaluationError), whatever HTTP status the engine used.
    syntax_signs: tuple[str, ...] = ("error at ",)
    # A VALUES clause may end a query; else the store moves it into the WHERE group where that is the same join.
    trailing_values: bool = True
    # `A <= B` and `A >= B` of dates answer in full; else sent as `!(A > B)` and `!(A < B)` (kg.store.inclusive_bounds).
    inclusive_bounds: bool = True
    # Put before a DESCRIBE so that it describes as Oxigraph does: each resource's statements, and those of
    # the blank nodes among their objects, nothing else.
    describe_prologue: str = ""
    graph_media_type: str = "text/turtle"  # asked for a graph answer
    sort_cap_signs: tuple[str, ...] = ()  # in an error saying a sorted SELECT asked for more rows than the engine sorts
    refused_signs: tuple[str, ...] = ()

    @property
    def hidden(self) -> tuple[str, ...]:
        """The graphs the store never serves: the engine's own, the merge's and the noted empty graphs'."""
        return self.system_graphs + tuple(iri for iri in (self.merge_graph, self.created_graph) if iri)


OXIGRAPH = Dialect(
    name="oxigraph",
    # test_graph_operation_sequences.py::test_clear_all_and_named_leave_every_graph_there_empty: on disk, its
    # CLEAR ALL and CLEAR NAMED drop the graphs (0.5.13; its CLEAR GRAPH, and its store in memory, keep them)
    clear_all_drops=True,
    # tests/test_engines.py::test_oxigraph_serve_without_a_time_limit_is_refused_at_start
    server_timeout=True,
    # test_engines.py::test_a_query_past_the_limit_stops_in_the_engine: the cut shows at the end of a 200
    timeout_signs=("The SPARQL operation has been cancelled",),
    # test_api_live.py::test_an_update_the_store_refuses_is_400_on_every_engine: 500 "already exists" / "does not exist";
    # test_api_engines.py::test_a_function_the_store_lacks_is_refused_as_given_on_every_engine: 500, as the embedded
    # store's EvaluationError
    refused_signs=("already exists", "does not exist", "The custom function "),
)

VIRTUOSO = Dialect(
    name="virtuoso",
    # test_dataset_model.py (every backend): its default graph is the union of all graphs
    merge_graph=MERGE_GRAPH,
    # test_engines.py::test_drop_all_empties_the_projects_graphs_only: DROP ALL answers and removes nothing
    drop_all=False,
    # test_api_live.py::test_graph_store_put_get_post_delete: no empty graphs; GRAPH <g> {} always true
    empty_graphs=False,
    # test_api_engines.py::test_blank_nodes_are_written_and_kept_joined: "Blank node ... not allowed in a
    # constant clause"
    blank_nodes_in_data=False,
    # test_dataset_model.py::test_with_and_using[virtuoso]: "SR002: Function string_output_string needs a
    # string output", answered after the insert was applied
    bind_in_where=True,
    # test_api_live.py::test_graph_store_put_get_post_delete: SPARUL_DROP() fails "not explicitly created"
    graphs_by_create=True,
    # test_graph_operation_sequences.py::test_a_graph_created_empty_exists_until_dropped_across_requests: a graph
    # CREATEd in one request was not there in the next (DROP failed) while Virtuoso still refused to CREATE it again
    created_graph=CREATED_GRAPH,
    # test_api_live.py::test_rdflib_dataset_named_graphs: rdflib lists graphs with GRAPH ?g {}
    enumerates_graphs=False,
    # test_api_live.py::test_triple_terms_in_every_format: 400, the engine's syntax error; so for a base direction
    # (test_api_engines.py::test_a_graph_store_write_the_engine_cannot_read_is_refused_as_data_not_as_a_query)
    triple_terms=False,
    # test_api_engines.py::test_the_engines_own_graphs_are_not_served
    system_graphs=("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#"),
    self_description_graphs=True,
    # test_engines.py::test_a_query_past_the_limit_stops_in_the_engine: an "anytime" answer, 200 and
    # partial, flagged by X-SQL-State: S1TAT, or an error body with S1TAT
    timeout_parameter="timeout",
    timeout_header=("X-SQL-State", "S1TAT"),
    timeout_signs=("S1TAT",),
    # test_engines.py::test_an_engine_row_limit_below_the_cap_is_said: ResultSetMaxRows, silently
    cut_header="X-SPARQL-MaxRows",
    # test_api_live.py::test_malformed_query_is_query_bad_formed: "SP030: SPARQL compiler, line 1: ..."
    syntax_signs=("SP030", "SPARQL compiler, line", "syntax error"),
    # Its Turtle writes an xsd:double bare ("2.0"), which Turtle reads as an xsd:decimal; its N-Triples keeps the type.
    graph_media_type="application/n-triples",
    # test_store_contract.py::test_describe_reads_the_merge_as_every_engine_does: its own DESCRIBE adds the
    # statements pointing at a resource and leaves out those of its blank nodes
    describe_prologue='DEFINE sql:describe-mode "CBD" ',
    # test_store_contract.py::test_a_trailing_values_clause_ends_every_query_form: "BINDINGS is not supported
    # at top level for queries other than SELECT"; after a SELECT, "No column" for a variable not projected
    trailing_values=False,
    # test_example_queries_on_engines.py::test_an_inclusive_bound_keeps_every_row_below_it: FILTER (?d <= "2026-01-02"^^xsd:date)
    # over its index left out a 2025-12-31 it holds (07.20.3229), as did "2026-01-02"^^xsd:date >= ?d
    inclusive_bounds=False,
    sort_cap_signs=("SR353",),  # "Sorted TOP clause specifies more then 10001 rows to sort" (MaxSortedTopRows)
    # test_api_live.py::test_a_value_the_store_cannot_hold_is_refused_as_given_on_every_engine: SQLSTATE class 22,
    # a data exception (an xsd:integer past 64 bits, 1/0, STRLEN of a number), at 400 or 500: the request's
    # test_api_engines.py::test_a_function_the_store_lacks_is_refused_as_given_on_every_engine: SR185 "Undefined
    # procedure DB.DBA.<the IRI>", at 500
    refused_signs=("SPARUL_CREATE", "SPARUL_DROP", "SP031", "explicitly created", "Virtuoso 22", "SR185"),
)

SPARQL11 = Dialect(name="sparql11")  # any other engine (QLever, GraphDB, Fuseki...): untested

DIALECTS = {"oxigraph": OXIGRAPH, "virtuoso": VIRTUOSO, "sparql11": SPARQL11}


def dialect_for(server_header: str | None) -> Dialect:
    """The dialect of the engine whose HTTP `Server` header is given (e.g. "Virtuoso/07.20.3229 (Linux)")."""
    product = (server_header or "").split("/", 1)[0].strip().lower()
    return DIALECTS.get(product, SPARQL11)
