"""A variable SELECT names in a grouped query (GROUP BY, HAVING, or an aggregate) that is no plain GROUP BY key
(SPARQL 1.1 §11.4): the engine says only that one is unbound, at the text's end, for this and for a key GROUP BY
(… AS ?x) gives, which it does not take in SELECT."""

from __future__ import annotations

from dataclasses import dataclass, field

AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})
_ENDING = frozenset({"ORDER", "LIMIT", "OFFSET", "VALUES"})  # modifiers after which no GROUP BY key comes


@dataclass
class _Level:
    """A SELECT being read, `depth` braces deep: its plain variables (name -> token index), whether it groups, its
    plain GROUP BY keys and those (… AS ?x) gives, and what is being read (select, where, group, modifiers)."""

    depth: int
    listed: dict = field(default_factory=dict)
    grouped: bool = False
    keys: set = field(default_factory=set)
    named: set = field(default_factory=set)
    part: str = "select"
    parens: int = 0


def ungrouped(tokens) -> tuple[int, str] | None:
    """The index in `tokens` (significant()'s) of the first variable SELECT names that its grouping does not keep,
    and what to say of it; None if there is none."""
    levels: list[_Level] = []
    depth = 0
    for index, (kind, value, _, _) in enumerate(tokens):
        upper = value.upper() if kind == "word" else ""
        level = levels[-1] if levels else None
        if upper == "SELECT":
            levels.append(_Level(depth))
            continue
        if kind == "open" and value == "{":
            depth += 1
        elif kind == "close" and value == "}":
            depth -= 1
            if level is not None and level.part == "where" and depth == level.depth:
                level.part = "modifiers"
            elif level is not None and depth < level.depth:  # the subquery's group closes: its query is read
                found = _kept(levels.pop())
                if found is not None:
                    return found
        if level is None or level.part == "where" or value in "{}":
            if level is not None and level.part == "select" and value == "{" and not level.parens:
                level.part = "where"
            continue
        level.parens += (value == "(") - (value == ")")
        if upper in AGGREGATES or upper == "HAVING":
            level.grouped = True
        if upper == "WHERE" and level.part == "select":
            level.part = "where"
        elif upper == "GROUP":
            level.part, level.grouped = "group", True
        elif upper in _ENDING or upper == "HAVING":
            level.part = "modifiers"
        elif kind == "var" and level.part == "select" and not level.parens and tokens[index - 1][1].upper() != "AS":
            level.listed.setdefault(value[1:], index)
        elif kind == "var" and level.part == "group" and tokens[index - 1][1].upper() == "AS":
            level.named.add(value[1:])
        elif kind == "var" and level.part == "group" and not level.parens:
            level.keys.add(value[1:])
    return _kept(levels[-1]) if levels else None  # the outermost query, at the text's end


def _kept(level: _Level) -> tuple[int, str] | None:
    if not level.grouped:
        return None
    for name, index in level.listed.items():
        if name in level.named:
            return index, (f"SELECT names ?{name}, which GROUP BY (… AS ?{name}) gives: the engine takes only a "
                           f"plain key there. Bind it in the WHERE instead, as BIND(… AS ?{name}), and GROUP BY "
                           f"?{name}.")
        if name not in level.keys:
            return index, (f"SELECT names ?{name}, which is neither grouped on nor inside an aggregate: group on it "
                           f"(GROUP BY ?{name}), or select (SAMPLE(?{name}) AS ?any_{name}) for one value of each "
                           "group.")
    return None
