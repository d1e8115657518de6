"""A variable given a value where it already has one (SPARQL 1.1 §18.2.1, §18.2.4.1): a BIND to a variable in scope
before it in its group, SELECT naming a variable twice, an (expression AS ?x) of SELECT or GROUP BY where its WHERE
or GROUP BY binds ?x. The engine says only that something is bound twice, at the text's end, or runs GROUP BY's."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import QuerySyntaxError

_SEALED = ("MINUS", "EXISTS")  # groups whose variables are not in scope outside them
_NOT_EXPRESSIONS = ("VALUES", "A")  # words a '(' of terms may follow (VALUES (?x ?y), ?s a (1 2))


@dataclass
class _Group:
    """A { … } being read: the variables in scope in it so far (name -> (what bound it, where)), how it opened, and
    the brackets open outside it."""

    opener: str  # MINUS or EXISTS, SELECT for a subquery's (EXISTS { SELECT … } too), else ""
    outside: list
    sealed: bool = False  # opened by MINUS or EXISTS, a subquery's too (EXISTS { SELECT … })
    bound: dict = field(default_factory=dict)
    projected: set | None = None  # a subquery's variables and AS names; None for SELECT *


@dataclass
class _Select:
    """A SELECT being read: where its variables and AS names are, and the depth of its WHERE's group."""

    listed: dict = field(default_factory=dict)
    named: dict = field(default_factory=dict)
    star: bool = False
    depth: int = -1


@dataclass
class _Modifiers:
    """What follows a SELECT's WHERE, its groups `depth` deep: what the WHERE binds, whether GROUP BY is being read,
    and the names its (expression AS ?x) give (name -> where)."""

    select: _Select
    bound: dict
    depth: int
    grouping: bool = False
    grouped: dict = field(default_factory=dict)
    reading: bool = False  # in GROUP BY, HAVING or ORDER BY, whose variables are read, not bound


def regrouped(tokens, text: str) -> QuerySyntaxError | None:
    """The error for a GROUP BY (expression AS ?x) over a variable in scope, or a SELECT (… AS ?x) over a name
    GROUP BY gives: the engine runs both (SPARQL 1.1 §18.2.1 forbids them), so they are looked for before it runs."""
    found = rebound(tokens, text)
    if found is None or len(found) < 3:  # none, or one the engine refuses itself
        return None
    at = tokens[found[0]][2]
    return QuerySyntaxError(found[1], line=text.count("\n", 0, at) + 1, column=at - text.rfind("\n", 0, at))


def rebound(tokens, text: str) -> tuple | None:
    """The index in `tokens` (significant()'s) where a variable is given a second value, and what to say of it (and
    True after them where GROUP BY gives it, which the engine takes); None if there is none."""
    groups: list[_Group] = []
    selects: list[_Select] = []
    parens: list[int] = []  # each '(' open: -1 for terms, the BIND's index for its own, else 0 (an expression)
    selecting = None
    modifiers = None  # the last SELECT whose WHERE was read, until its query ends
    for index, (kind, value, start, _) in enumerate(tokens):
        previous = tokens[index - 1][1].upper() if index else ""
        upper = value.upper() if kind == "word" else ""
        if modifiers is not None:
            if kind == "close" and value == "}" and len(groups) <= modifiers.depth:
                modifiers = None
            elif upper in ("GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"):
                modifiers.grouping = upper == "GROUP"
                modifiers.reading = upper in ("GROUP", "HAVING", "ORDER")
            elif modifiers.grouping and kind == "var" and previous == "AS" and (found := _regrouped(
                    modifiers, index, tokens, text)):
                return found
        if upper == "SELECT":
            selecting = _Select()
            if groups and previous == "{":
                groups[-1].opener = "SELECT"
        elif selecting is not None and (upper == "WHERE" or value == "{"):
            if groups and groups[-1].opener == "SELECT":  # a subquery: its AS names are bound outside it
                groups[-1].projected = None if selecting.star else set(selecting.listed) | set(selecting.named)
                groups[-1].bound.update((name, ("a subquery's SELECT", at)) for name, at in selecting.named.items())
            selecting.depth = len(groups)
            selects.append(selecting)
            selecting = None
        if selecting is not None:
            if value == "*" and not parens:
                selecting.star = True
            elif kind == "var" and (not parens or previous == "AS"):
                first = selecting.listed.get(value) or selecting.named.get(value)
                if first is not None:
                    return index, (f"SELECT names the same variable twice: {value}, first at {_place(text, first)}; "
                                   "give each variable or (expression AS ?name) a name of its own.")
                (selecting.named if previous == "AS" else selecting.listed)[value] = start
        elif kind == "var" and groups and previous == "AS" and parens and parens[-1] > 0:  # BIND(… AS ?x)
            bind, scope = parens[-1], groups[-1].bound
            if value in scope:
                how, at = scope[value]
                return bind, (f"BIND gives {value} a value where it already has one: {value} is bound before it in "
                              f"the same group, by {how} at {_place(text, at)}. Choose another name.")
            scope[value] = ("the BIND", tokens[bind][2])
        elif kind == "var" and groups and not (parens and parens[-1] >= 0) \
                and not (modifiers is not None and modifiers.reading):  # a subquery's ORDER BY ?x binds no ?x
            groups[-1].bound.setdefault(value, ("the GRAPH" if previous == "GRAPH" else "a triple pattern", start))
        elif upper == "VALUES" and groups:
            for name, _ in _values_variables(tokens, index):
                groups[-1].bound.setdefault(name, ("the VALUES", start))
        if kind == "open" and value == "(":
            expression = selecting is not None or bool(parens) and parens[-1] >= 0 or previous == "FILTER" \
                or tokens[index - 1][0] == "word" and previous not in _NOT_EXPRESSIONS \
                or index >= 2 and tokens[index - 2][1].upper() == "FILTER"  # FILTER ex:f(?x)
            parens.append((index - 1 if previous == "BIND" else 0) if expression else -1)
        elif kind == "close" and value == ")" and parens:
            parens.pop()
        elif kind == "open" and value == "{":
            groups.append(_Group(previous if previous in _SEALED else "", parens, sealed=previous in _SEALED))
            parens = []
        elif kind == "close" and value == "}" and groups:
            group = groups.pop()
            parens = group.outside
            if selects and selects[-1].depth == len(groups):  # the WHERE of the last SELECT read
                modifiers = _Modifiers(selects.pop(), group.bound, len(groups))
                found = _overridden(modifiers.select, group.bound, tokens, text)
                if found is not None:
                    return found
            if groups and not group.sealed:
                _leak(group, groups[-1])
    return None


def _leak(inner: _Group, outer: _Group) -> None:
    """Put the variables in scope after `inner` closes into `outer`, whose own bindings come first: the smaller
    set is merged into the larger, so that variables handed out through deep nesting are not copied at each level."""
    if inner.projected is not None:
        outer.bound.update((name, inner.bound[name]) for name in inner.projected
                           if name in inner.bound and name not in outer.bound)
    elif len(inner.bound) > len(outer.bound):
        inner.bound.update(outer.bound)
        outer.bound = inner.bound
    else:
        for name, binding in inner.bound.items():
            outer.bound.setdefault(name, binding)


def _overridden(select: _Select, bound: dict, tokens, text: str) -> tuple[int, str] | None:
    """Where an (expression AS ?x) of `select` names a variable its WHERE (`bound`) binds, and what to say of it."""
    for name, at in select.named.items():
        if name in bound:
            index = next(i for i, token in enumerate(tokens) if token[2] == at)
            return index, (f"An (expression AS {name}) in SELECT reuses a name the query already binds ({name}, "
                           f"by {bound[name][0]} at {_place(text, bound[name][1])}): choose another name.")
    return None


def _regrouped(modifiers: _Modifiers, index: int, tokens, text: str) -> tuple | None:
    """Where GROUP BY's (expression AS ?x) at `index` gives ?x a second value, or the SELECT (… AS ?x) it makes
    one, and what to say of it; None if neither. A subquery's WHERE bindings may hold its SELECT's AS names."""
    name, start = tokens[index][1:3]
    bound, named = modifiers.bound.get(name), modifiers.select.named.get(name)
    first = modifiers.grouped.get(name)
    if bound is not None and bound[1] != named:
        return index, (f"GROUP BY gives {name} a value where it already has one: {name} is bound in the WHERE, by "
                       f"{bound[0]} at {_place(text, bound[1])}. Choose another name, or GROUP BY {name}."), True
    if first is not None:
        return index, (f"GROUP BY gives {name} a value twice, first at {_place(text, first)}: give each "
                       "(expression AS ?name) a name of its own."), True
    modifiers.grouped[name] = start
    if named is not None:  # the SELECT's expressions are evaluated after the grouping
        where = next(i for i, token in enumerate(tokens) if token[2] == named)
        return where, (f"An (expression AS {name}) in SELECT reuses a name the query already binds ({name}, by "
                       f"GROUP BY at {_place(text, start)}): choose another name."), True
    return None


def _values_variables(tokens, index: int):
    """The variables VALUES at `index` names, and where: one, or those in brackets."""
    bracketed = index + 1 < len(tokens) and tokens[index + 1][1] == "("
    for at in range(index + 1 + bracketed, len(tokens)):  # not a slice: a long text may hold many VALUES
        kind, value, start, _ = tokens[at]
        if kind != "var":
            return
        yield value, start
        if not bracketed:
            return


def _place(text: str, at: int) -> str:
    return f"line {text.count(chr(10), 0, at) + 1}, column {at - text.rfind(chr(10), 0, at)}"
