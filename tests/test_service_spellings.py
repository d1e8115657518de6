"""SERVICE and LOAD however they are spelt: what the engine reads as a call to the outside, the policy
check must read so too (kg/sparql_text.py), or the engine fetches the URL itself. Each spelling here
made pyoxigraph call an endpoint the allow-list did not hold, through a live server."""

from __future__ import annotations

import pytest

from api_fixtures import recording_server
from kg.sparql_text import scan
from live_server import kg_server
from raw_http import http, problem, query_url

TOKEN = "t" * 40


@pytest.fixture(scope="module")
def outside():
    """The base IRI of an endpoint no setting allows, and the paths it was asked for."""
    with recording_server() as (url, requests):
        yield url + "/", requests


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {"SAHEL_KG_UPDATE_TOKEN": TOKEN}
    with kg_server(tmp_path_factory.mktemp("spellings"), env=env, enable_updates=True) as url:
        yield url


SPELLINGS = {
    # a CR ends a comment (SPARQL's '#' [^#xA#xD]*), not only a LF
    "comment ended by CR": "SELECT * { #x\rSERVICE <{o}other> { ?x ?y ?z } }",
    # the keyword glued to a name of the empty prefix: SERVICE :other
    "SERVICE:name": "PREFIX : <{o}> SELECT * { SERVICE:other { ?x ?y ?z } }",
    # '<' after a value in an expression is less-than to the engine; "#>" is then a comment
    "less-than, comment": "PREFIX : <{o}> SELECT * { BIND(1 AS ?a) BIND(2 AS ?b) "
                          "FILTER(?a<?b)SERVICE:other#>\n{ ?x ?y ?z } }",
    "less-than, comment, long string": 'SELECT * { BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)#>"""\n'
                                       'SERVICE <{o}other> { ?x ?y ?z }\n#"""\n}',
    "less-than in a select expression": 'SELECT * { { SELECT (1 AS ?a) (2 AS ?b) (?a<?b#>"""\n AS ?c) '
                                        'WHERE {} } SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    # HAVING, GROUP BY and ORDER BY take EXISTS {…}: a "(" after its "}" is an expression, not a collection
    "less-than after HAVING EXISTS": 'SELECT * { { SELECT ?a WHERE { BIND(1 AS ?a) BIND(2 AS ?b) } GROUP BY ?a '
                                     'HAVING EXISTS { } (?a<?b#>"""\n) } SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    "less-than in a projection after EXISTS": 'SELECT * { { SELECT ?a (EXISTS { } AS ?e) ?b (?a<?b#>"""\n AS ?c) '
                                              'WHERE { BIND(1 AS ?a) BIND(2 AS ?b) } } '
                                              'SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    # a keyword at the start of a longer name or word: the engine reads it apart (SERVICEex:x is SERVICE ex:x)
    "SERVICE glued to a name": "PREFIX ex: <{o}> SELECT * { SERVICEex:other { ?x ?y ?z } }",
    "FILTER glued to a name": 'PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT * { BIND(1 AS ?a) BIND(2 AS ?b) '
                              'FILTERxsd:boolean((?a<?b#>"""\n) || true) SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    "GROUPBY in one word": 'SELECT * { { SELECT ?a WHERE { BIND(1 AS ?a) BIND(2 AS ?b) } GROUPBY ?a (?a<?b#>"""\n) } '
                           'SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    "SELECTDISTINCT in one word": 'SELECT * { { SELECTDISTINCT ?a (?a<?b#>"""\n AS ?c) WHERE { BIND(1 AS ?a) '
                                  'BIND(2 AS ?b) } } SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    # a language tag is not a keyword: @values and @where must not change how "(" is read
    "language tag @values": 'SELECT * { BIND(1 AS ?a) BIND(2 AS ?b) BIND("x"@values AS ?l) BIND((?a<?b#>"""\n) AS ?c) '
                            'SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    "language tag @where": 'SELECT * { { SELECT ?a ?b WHERE { BIND(1 AS ?a) BIND(2 AS ?b) } ORDER BY ("x"@where) ?a '
                           '(?a<?b#>"""\n ) } SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    # a name ending in a character SPARQL allows in names and Python's \w does not (U+00B7)
    "name ending in a middle dot": 'PREFIX : <http://x.example/> SELECT * { BIND(1 AS ?a) BIND(2 AS ?b) '
                                   'BIND(:x\u00b7<?b#>"""\n AS ?c) SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    # values the lexer did not know as such: EXISTS {…} and a triple term <<( … )>> compare too
    "less-than after EXISTS": 'SELECT * { BIND(1 AS ?a) BIND(2 AS ?b) FILTER(EXISTS { }<?b#>"""\n || true) '
                              'SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    "less-than after a triple term": 'SELECT * { BIND(1 AS ?a) BIND(2 AS ?b) FILTER(<<( ?a <x:p> ?b )>><?b#>"""\n '
                                     '|| true) SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    # a literal glued to a keyword: trueSERVICE is true SERVICE
    "true glued to SERVICE": "SELECT * { { ?x ?y trueSERVICE <{o}other> { } } UNION { BIND(1 AS ?z) } }",
    # "<<" opens a triple term to the engine; the lexer took the second "<" for the start of an IRI
    "a triple term glued to a variable": 'SELECT * { { BIND(1 AS ?z) } UNION { ?x ?y <<?s#>"""\n ?p ?o >> } '
                                         'SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    "a triple term glued in a CONSTRUCT template": 'CONSTRUCT { <<(?s#>"""\n ?p ?o )>> } WHERE { '
                                                  'SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
    "less-than in a function FILTER calls": 'SELECT * { BIND(1 AS ?a) BIND(2 AS ?b) FILTER <http://www.w3.org/2001/'
                                            'XMLSchema#boolean>(?a<?b#>"""\n) SERVICE <{o}other> { ?x ?y ?z } #"""\n}',
}


@pytest.mark.parametrize("name", SPELLINGS)
def test_every_spelling_of_service_is_refused_and_nothing_is_called(server, outside, name):
    base, requests = outside
    status, headers, body = http(query_url(server, SPELLINGS[name].replace("{o}", base)))
    problem(status, headers, body, 400)
    assert requests == []


def test_load_glued_to_a_name_is_refused_and_nothing_is_fetched(server, outside):
    base, requests = outside
    for update in (f"PREFIX : <{base}> LOAD:other INTO GRAPH <urn:x:loaded>",
                   "PREFIX : <file:///etc/> LOAD:passwd INTO GRAPH <urn:x:loaded>",
                   f"PREFIX : <{base}> INSERT {{ GRAPH <urn:x:g> {{ ?x ?x ?x }} }} WHERE {{ SERVICE:other {{ ?x ?y ?z }} }}",
                   f"PREFIX ex: <{base}> INSERT DATA {{ <urn:x:s> <urn:x:p> 1 }} ; LOADex:other",
                   f'INSERT DATA {{ <<_:b#>"""\n <urn:x:p> <urn:x:o> >> <urn:x:q> <urn:x:r> }} ; LOAD <{base}other> #"""\n'):
        status, headers, body = http(server + "/sparql", method="POST", data=update.encode(),
                                     headers={"Content-Type": "application/sparql-update",
                                              "Authorization": f"Bearer {TOKEN}"})
        problem(status, headers, body, 400)
    assert requests == []


def test_nesting_hidden_behind_less_than_is_counted(server):
    deep = 20000
    query = "SELECT * { FILTER(1<" + "(" * deep + "1>2" + ")" * deep + ") }"
    status, headers, body = http(server + "/sparql", method="POST", data=query.encode(),
                                 headers={"Content-Type": "application/sparql-query"})
    problem(status, headers, body, 400)  # not a query worker killed by the engine's parser (503)


@pytest.mark.parametrize("query", [
    "SELECT * { ?s <http://x.example/a#b> ?o FILTER(?o = <http://x.example/c#d>) }",
    "SELECT * { VALUES (?a ?b) { (<x:a#1> <x:b#2>) (<x:c#3> <x:d#4>) } }",
    "SELECT * { ?s ?p ?o FILTER(?o IN (<x:a#1>, <x:b#2>)) }",
    "SELECT * { ?s ?p ?o FILTER(?a<?b&&?c>?d) }",
    "SELECT (SAMPLE(<x:a#1>) AS ?m) { ?s ?p ?o }",
    "SELECT * { ?s ?p 'a#b' } # a comment\r\n",
    # collections (RDF lists) of IRIs: the engine reads no operator in them
    "SELECT * { ?s <x:p> (<x:a#1> <x:b#2>) }",
    "SELECT * { ?s a (<x:a#1> <x:b#2>) ; <x:q> ('a#b' <x:c#3> (<x:d#4> <x:e#5>)) }",
    "SELECT * { [ <x:p> (1 <x:b#2>) ] ?p ?o }",
    "SELECT ?s { { SELECT ?s { ?s ?p ?o } } ?s ?p (<x:a#1> <x:b#2>) }",
    "SELECT * { ?s <x:p>* (<x:a#1> <x:b#2>) . ?s (<x:p>|<x:q>) (<x:a#1> <x:b#2>) }",
    "SELECT * { BIND(1 AS ?x) (<x:a#1> <x:b#2>) <x:p> ?o FILTER(?x) (<x:a#1> <x:b#2>) <x:p> ?o }",
    "SELECT (GROUP_CONCAT(?o) AS ?all) { ?s ?p ?o FILTER(LANG(?o) = 'en' || ?o = 'x'@en) }",
    "PREFIX services: <x:s#> PREFIX é: <x:e#> SELECT * { ?s é:p ?o }",
    "PREFIX groups: <x:g#> PREFIX selection: <x:s#> SELECT * { ?s groups:p selection:o FILTER NOTEXISTS { } }",
    "SELECT * { ?s ?p ?o FILTER(?o = '1'^^<http://www.w3.org/2001/XMLSchema#int> || ?o >= <x:a#1>) }",
    "SELECT (COUNT(DISTINCT <x:a#1>) AS ?n) { ?s ?p ?o FILTER(sameTerm(?o, <x:a#1>) && !(?o != <x:a#2>)) }",
    "SELECT * { <<<x:a#1> <x:p#2> <x:o#3>>> <x:q#4> ?o . ?s ?p <<( <x:a#1> <x:p#2> <x:o#3> )>> }",
])
def test_ordinary_iris_and_comparisons_are_not_mistaken(query):
    shape = scan(query)
    assert shape.services == [] and shape.ambiguous is None and shape.glued is None and shape.depth <= 3
