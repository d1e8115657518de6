"""Bounds on the shapes of query the engine cannot take: ones that overflow its stack (which ends the process)
or whose planning time, before any row and out of reach of a time limit, grows much faster than their size.

Measured on pyoxigraph 0.5.13 in a thread of 8 MiB stack (a query worker's helper thread) and of 2 MiB (some
platforms' thread default); crash points are where the process died, times are on an empty store.
"""

from __future__ import annotations

from kg.errors import PolicyError

# Nesting (groups, brackets, calls, EXISTS, subqueries): 8 MiB overflows near 1,000 nested calls, 2 MiB near 240.
MAX_DEPTH = 64
# Chained operators: 8 MiB overflows near 8,000 "+" and 16,000 "!" or "|".
MAX_OPERATORS = 1000
# Triple patterns, groups, FILTERs and assignments (counted in kg.sparql_text._scan): planning grows as about their
# fourth power (128 flat OPTIONALs 10 s, 128 triple patterns 3 s, 64: 0.2-0.8 s), and a flat run of BIND,
# MINUS or SELECT expressions overflows 2 MiB near 640 and 8 MiB near 3,000. The project's largest query has 66.
MAX_PATTERNS = 100
# Resources of a DESCRIBE: planned in time growing with their square (2,000: 0.5 s); 8 MiB overflows near
# 2,700, 2 MiB near 640.
MAX_DESCRIBED = 256
# Distinct variables: planned in time growing with their square (32,000 in a SELECT, ORDER BY or VALUES:
# 0.6-2.7 s; 4,000: 0.05 s). The project's queries have at most 34.
MAX_VARIABLES = 1000

# The most MAX_QUERY_DEPTH and MAX_QUERY_PATTERNS may be set to: below where a 2 MiB stack overflows (240
# nested calls; 640 flat BINDs), a quarter of where 8 MiB does (800 nested EXISTS; 2,600 flat BINDs).
DEEPEST = 200
MOST_PATTERNS = 500


def check_shape(shape, policy) -> None:
    """Raise PolicyError for a query (or update) whose shape `policy` bounds: nesting, operators, patterns,
    variables, DESCRIBE resources."""
    if shape.depth > policy.max_depth:
        raise PolicyError(f"query nests {shape.depth} levels deep; the limit is {policy.max_depth}")
    if shape.operators > policy.max_operators:
        raise PolicyError(f"query has {shape.operators} operators; the limit is {policy.max_operators}")
    if shape.patterns > policy.max_patterns:
        raise PolicyError(f"query has {shape.patterns} patterns (triple patterns, groups, FILTERs, BINDs and "
                          f"AS); the limit is {policy.max_patterns}: split it, or bind values with VALUES")
    if shape.variables > policy.max_variables:
        raise PolicyError(f"query has {shape.variables} variables; the limit is {policy.max_variables}")
    if shape.described > policy.max_described:
        raise PolicyError(f"DESCRIBE names {shape.described} resources; the limit is {policy.max_described}: "
                          "describe them in batches")
