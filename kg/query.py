"""The one way in for every query: prefixes, bindings, safety policy, time limit and row cap.

The HTTP API, the console and the benchmarks all call QueryService, so limits and policy live here.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace

import pyoxigraph as ox

from kg.data_terms import data_term_error
from kg.errors import BindingTypeError, EvaluationError, PolicyError, QuerySyntaxError, QueryTimeout, UpdateTimeout
from kg.graph_faults import silent_hint
from kg.federation import Federation
from kg.kept_graphs import keep_project_graphs
from kg.keyword_prefixes import glued_message, written_out
from kg.namespaces import PREFIXES
from kg.parse_messages import UNDECLARED, UNPLACED, is_generic
from kg.iri_faults import iri_fault
from kg.bindings import bind, unbound
from kg.closed_terms import ClosedTerms
from kg.dataset_graphs import DatasetGraphs
from kg.binding_types import check_bindings
from kg.capped_rows import collect
from kg.results import Result
from kg.service_targets import ServiceTarget, allowed_as, nested_named, refusal, service_targets
from kg.sparql_parts import leading_base, prologue_line, service_clauses, services_masked, used_prefixes
from kg.shape_limits import MAX_DEPTH, MAX_DESCRIBED, MAX_OPERATORS, MAX_PATTERNS, MAX_VARIABLES, check_shape
from kg.sparql_lexer import significant, unclosed_long_string
from kg.sparql_text import scan
from kg.text_reading import Reading, reading_of
from kg.star_order import named_order, reordered
from kg.rebound_variables import regrouped
from kg.syntax_faults import first_fault, not_a_query
from kg.store.deadline import limited
from kg.store.base import Solutions, Store, syntax_error



@dataclass(frozen=True)
class Policy:
    """What a query may do. The defaults are those of a public, read-only endpoint."""

    service_allowlist: tuple[str, ...] = ()
    max_depth: int = MAX_DEPTH  # the bounds of kg.shape_limits: shapes the engine crashes on or plans slowly
    max_operators: int = MAX_OPERATORS
    max_patterns: int = MAX_PATTERNS
    max_described: int = MAX_DESCRIBED
    max_variables: int = MAX_VARIABLES
    allow_update: bool = False


@dataclass
class QueryService(ClosedTerms, DatasetGraphs):
    """Runs SPARQL against a store with the project's prefixes, a policy, a timeout and a row cap.

    `row_limit` is the cap of a query that gives none of its own; one that does (a whole table the service
    reads for itself, such as reconciliation's names) gets its own."""

    store: Store
    prefixes: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))
    policy: Policy = field(default_factory=Policy)
    timeout: float | None = None
    row_limit: int | None = None
    federation: Federation = field(default_factory=Federation)
    _known: tuple = field(default=(None, {}), init=False, repr=False, compare=False)  # see ClosedTerms
    _vocabulary: tuple = field(default=(None, ()), init=False, repr=False, compare=False)  # see ClosedTerms

    def query(self, sparql: str, *, bindings: dict[str, object] | None = None, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, timeout: float | None = None, row_limit: int | None = None,
              base: str | None = None, reading: Reading | None = None) -> Result:
        """Run a query and return a finished Result (rows read up to the cap).

        `bindings` maps variable names to values (pyoxigraph terms, or str/int/float/bool, which become
        literals); they enter as a VALUES block at the head of the WHERE group, written as RDF terms.
        `base` is the IRI relative IRIs resolve against (the text's own BASE resolves against it).
        `reading` is the text's, made where the request arrived (kg.text_reading); another text's is not used.
        """
        started = time.perf_counter()
        reading = reading_of(sparql, base, reading)
        raw, limit = self.rows(sparql, bindings=bindings, default_graphs=default_graphs, named_graphs=named_graphs,
                               timeout=timeout, row_limit=row_limit, base=base, reading=reading)
        result = collect(raw, limit)
        result.elapsed = time.perf_counter() - started
        result.unknown_terms = self.unknown_terms(reading.written, reading.shape, reading.base, bindings)
        result.absent_graphs = self.absent_graphs(reading, default_graphs, named_graphs)
        return result

    def rows(self, sparql: str, *, bindings: dict[str, object] | None = None, default_graphs: list[str] | None = None,
             named_graphs: list[str] | None = None, timeout: float | None = None, row_limit: int | None = None,
             base: str | None = None, reading: Reading | None = None):
        """Start a query as query() does, but hand back the store's lazy result (Solutions, Triples or a
        bool) and the row cap that applies, for a caller that reads the rows itself (a streamed answer)."""
        reading = reading_of(sparql, base, reading)
        sparql, moved, shape = reading.written, reading.moved(), reading.shape
        if shape.is_update or shape.form is None:
            raise moved(not_a_query(sparql, set(self.prefixes) | set(shape.prefixes), shape.is_update))
        self._checked(reading, moved, bindings, base)
        users = sparql
        if bindings:
            sparql = bind(sparql, bindings)
        text, shift = self._with_prologue(sparql, shape, base)
        limit = row_limit if row_limit is not None else self.row_limit
        seconds = _smallest(timeout, self.timeout)
        try:
            text = self._federated(text, shape, seconds)
            raw = self.store.query(text, default_graphs=default_graphs, named_graphs=named_graphs,
                                   timeout=seconds, limit=limit)
        except QuerySyntaxError as error:
            raise moved(self._explained(unbound(_shifted(error, shift), users, sparql), users, shape, base)) from None
        if isinstance(raw, Solutions) and shape.form == "SELECT":
            raw = reordered(raw, named_order(users))
        return raw, limit

    def update(self, sparql: str, *, base: str | None = None, timeout: float | None = None) -> None:
        """Run a SPARQL Update if the policy allows updates; LOAD is always refused. `timeout` (seconds) bounds the
        SERVICE calls made for it, as a query's does; the store's update is bounded by the store."""
        if not self.policy.allow_update:
            raise PolicyError("updates are disabled")
        sparql, moved = written_out(sparql, base)
        shape = scan(sparql)
        if shape.form is not None and not shape.is_update:  # the engine would say it expected VERSION
            form = {"ASK": "an ASK"}.get(shape.form, f"a {shape.form}")
            raise QuerySyntaxError(f"not an update: this is {form} query, to be sent as a query", line=1, column=1)
        if shape.loads:
            raise PolicyError("LOAD is not allowed: the service never fetches URLs or reads files")
        self._check_policy(shape)
        self._check_services(sparql, shape, moved, base)
        text, shift = self._with_prologue(sparql, shape, base)
        if not shape.is_update:  # no operation (empty, a prologue alone) writes nothing: no new version either
            try:
                ox.Store().update(text)
            except SyntaxError as error:
                explained = self._explained(_shifted(syntax_error(str(error)), shift), sparql, shape, base)
                raise moved(explained) from None
            return
        try:  # a time out, also of a query the store asks on the update's behalf, is the update's to tell
            text = keep_project_graphs(text, self.store, PREFIXES, base)  # before the store is touched
            try:
                self.store.update(self._federated(text, shape, timeout, update=True))
            except QuerySyntaxError as error:
                raise moved(self._explained(_shifted(error, shift), sparql, shape, base)) from None
            except EvaluationError as error:
                raise type(error)(silent_hint(str(error))) from None
        except QueryTimeout as error:
            raise UpdateTimeout.of(error) from None

    def syntax_fault(self, sparql: str, *, base: str | None = None,
                     reading: Reading | None = None) -> QuerySyntaxError | None:
        """The syntax error of the query `sparql` as rows() would raise it, found on an empty store with its
        SERVICE clauses masked (no endpoint is called, and a valid query's rows are never read); None if none."""
        reading = reading_of(sparql, base, reading)
        sparql, moved, shape = reading.written, reading.moved(), reading.shape
        if shape.is_update or shape.form is None:
            return moved(not_a_query(sparql, set(self.prefixes) | set(shape.prefixes), shape.is_update))
        text, shift = self._with_prologue(sparql, shape, base)
        check = services_masked(text) if shape.services else text
        try:  # a SELECT's, CONSTRUCT's or DESCRIBE's rows come only when read; an ASK's of nothing at once
            ox.Store().query(check)
        except SyntaxError as error:
            return moved(self._explained(_shifted(syntax_error(str(error)), shift), sparql, shape, base))
        regrouping = regrouped(reading.tokens, sparql) if shape.grouped_as else None
        return regrouping and moved(regrouping)

    def own_fault(self, sparql: str, *, base: str | None = None, reading: Reading | None = None,
                  bindings: dict | None = None) -> Exception | None:
        """What rows() would refuse the query `sparql` for before it runs anything (its form, the policy, the types
        of its `bindings`, its syntax), found without a store; None if nothing."""
        reading = reading_of(sparql, base, reading)
        if not reading.shape.is_update and reading.shape.form is not None:
            try:
                self._checked(reading, reading.moved(), bindings, base)
            except (PolicyError, BindingTypeError) as error:
                return error
        return self.syntax_fault(sparql, base=base, reading=reading)

    def _checked(self, reading: Reading, moved, bindings: dict | None, base: str | None) -> None:
        """The checks rows() makes before a query runs, own_fault() too: the policy, SERVICE targets, binding types."""
        self._check_policy(reading.shape)
        if reading.shape.grouped_as and (regrouping := regrouped(reading.tokens, reading.written)):
            raise moved(regrouping)  # which the engine would run
        self._check_services(reading.written, reading.shape, moved, base)
        if bindings:
            check_bindings(reading.written, bindings, self.prefixes)

    def _explained(self, error: QuerySyntaxError, sparql: str, shape, base: str | None) -> QuerySyntaxError:
        """The first slip kg.syntax_faults finds, or a faulty IRI (kg.iri_faults; `base` is the request's), where
        it is, in place of an engine's message that only says where its parser gave up, unless the parser gave
        up before that slip."""
        iri = iri_fault(sparql, error, base, shape.is_update)
        if shape.is_update and (misplaced := data_term_error(error, sparql)) is not None:
            return misplaced  # the engine calls a literal or triple term subject of INSERT DATA a variable
        # The engine named the fault, or the text does not lex (a broken IRI); but an open long string it
        # places at the text's end, where it gave up, and calls one not closed before the end of its line.
        if not is_generic(error.message) and error.message not in UNPLACED \
                and unclosed_long_string(significant(sparql)) is None:
            return iri.error if iri else error
        fault = first_fault(sparql, set(self.prefixes) | set(shape.prefixes), update=shape.is_update)
        if iri is not None and (fault is None or iri.opens <= fault[1:]):
            return iri.error  # a broken IRI lexes as a prefixed name (http:) and signs: its pieces are no slips
        if fault is None or (error.line or 0, error.column or 0) < fault[1:] and \
                not error.message.startswith(UNDECLARED):
            return error
        return QuerySyntaxError(fault.message, line=fault.line, column=fault.column)

    def _check_policy(self, shape) -> None:
        check_shape(shape, self.policy)
        if shape.pragmas:
            raise PolicyError("DEFINE pragmas are not allowed")
        if shape.glued:
            raise PolicyError(glued_message(shape.glued))
        if shape.ambiguous:
            raise PolicyError(f"{shape.ambiguous} may be code rather than an IRI to the engine: after a value '<' "
                              "may mean less-than, and '<<' opens a triple term (an IRI holding # ' ( ) [ ] may "
                              "come only after an operator, '(' or ','). Write a space after '<' when it means "
                              "less-than and between '<<' and an IRI, or name the IRI with a prefix")

    def _check_services(self, text: str, shape, moved, base: str | None) -> list[ServiceTarget]:
        """The SERVICE targets of `text`, each one the allow-list holds as the engine would resolve it (`base`
        is the request's); PolicyError naming the first other one as the user wrote it (`moved` maps `text`,
        written out, back to what was sent), its IRI as the list writes it."""
        targets = service_targets(text, self.prefixes, base) if shape.services else []
        for index, target in enumerate(targets):
            allowed = allowed_as(target.iri, self.policy.service_allowlist)
            if allowed is None:
                raise refusal(target, moved.source(target.start, target.end) if moved else target.written,
                              self.policy.service_allowlist)
            targets[index] = replace(target, named=allowed)  # called as the list writes it
        return targets

    def _federated(self, text: str, shape, seconds: float | None, *, update: bool = False) -> str:
        """The text with its SERVICE clauses answered by their endpoints (see kg.federation); the text is
        parsed first, so a syntax error is reported before any endpoint is called."""
        clauses = service_clauses(text) if shape.services else []  # the added prologue holds no SERVICE
        if not clauses:
            return text
        check = services_masked(text)

        def parse():  # pyoxigraph only parses by running: an empty store, but VALUES and ASK still work
            try:
                (ox.Store().update if update else ox.Store().query)(check)
            except SyntaxError as error:
                raise syntax_error(str(error)) from None
            return None, iter(())

        # The query's own limit: in a query worker there is none here (the pool kills the worker at the limit);
        # in this process the caller gets QueryTimeout on time, though the engine's step runs on to its end.
        limited(parse, seconds)
        # Read again in the text as run, where the BASE is on its first line: what is called is what is allowed.
        targets = self._check_services(text, shape, None, None)
        at = {target.keyword: target for target in targets}

        def prologue_of(clause) -> str:
            target = at[clause.start]
            lines = [f"BASE <{target.base}>"] if target.base else []
            lines += [f"PREFIX {name}: <{target.prefixes[name]}>" for name in used_prefixes(clause.pattern)
                      if name in target.prefixes]
            return "".join(line + "\n" for line in lines)

        deadline = None if seconds is None else time.monotonic() + seconds
        return self.federation.inline(text, [nested_named(clause, targets) for clause in clauses],
                                      lambda clause: at[clause.start].iri, prologue_of, deadline=deadline)

    def _with_prologue(self, sparql: str, shape, base: str | None = None) -> tuple[str, int]:
        """Declare the base and the known prefixes the text does not, on one added first line. BASE
        comes first, as every engine takes it (Virtuoso takes it nowhere else), so the text's own
        leading BASE moves there too, resolved, leaving spaces where it was."""
        sparql, base = leading_base(sparql, base)
        # Only the prefixes the text may use: the engine parses and checks every declaration it is given (all
        # two dozen cost a lookup at 1M a third more engine time). A plain substring test, not the lexer: where
        # the two split a text differently ("GRAPHsk:g"), a prefix the engine reads must still be declared, or
        # a remote engine's own prefix of that name would give the query another meaning.
        used = {name: iri for name, iri in self.prefixes.items() if name + ":" in sparql}
        line = ((f"BASE <{base}> " if base else "") + prologue_line(used, shape.prefixes)).strip()
        return (line + "\n" + sparql, 1) if line else (sparql, 0)


def _smallest(*values):
    present = [value for value in values if value is not None]
    return min(present) if present else None


def _shifted(error: QuerySyntaxError, lines: int) -> QuerySyntaxError:
    """The error with its line counted in the user's text rather than ours."""
    if error.line is None or not lines:
        return error
    message = re.sub(r"^error at \d+:\d+: ", "", error.message)
    return QuerySyntaxError(message, line=max(1, error.line - lines), column=error.column)
