"""How fast a lookup can be answered with Python in the path: the ceiling `kg serve`'s lookups are measured against.

In one run, on a store `serving.py` left (`--store`, its kg-store directory), wrk's claim lookups (mix.py's
script) go to: granian serving an RSGI app that answers a fixed body (the floor of any Python route), granian
serving a bare pyoxigraph lookup (the query string decoded, Store.query, QuerySolutions.serialize: no policy,
limits, log or headers), `kg serve` as shipped, and `oxigraph serve-read-only` on the same directory. Nothing
here is a test, and the bare lookup is no server to ship: it checks nothing it is sent.

    python benchmarks/python_ceiling.py --store /tmp/work/kg-store --triples 1000000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from contenders import BIN, Contender, Running
from mix import wrk_script
from measure import wrk

APPS = '''
import os
from urllib.parse import unquote_plus
import pyoxigraph

class Floor:
    def __rsgi_init__(self, loop): pass
    def __rsgi_del__(self, loop): pass
    async def __rsgi__(self, scope, protocol):
        protocol.response_bytes(200, [("content-type", "application/json")], b'{"head":{},"boolean":true}')

class BareLookup(Floor):
    def __init__(self):
        self.store = None
    async def __rsgi__(self, scope, protocol):
        if self.store is None:  # opened in the server process, after granian forks it
            self.store = pyoxigraph.Store.read_only(os.environ["CEILING_STORE"])
        solutions = self.store.query(unquote_plus(scope.query_string.partition("=")[2]))
        body = solutions.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
        protocol.response_bytes(200, [("content-type", "application/sparql-results+json")], body)

floor, bare_lookup = Floor(), BareLookup()
'''


def contenders(store: Path, apps: Path) -> list[Contender]:
    granian = [str(BIN / "granian"), "--interface", "rsgi", "--host", "127.0.0.1", "--port", "{port}",
               "--workers", "1"]  # run in `apps`, the directory it imports the apps from
    env = {"CEILING_STORE": str(store)}
    return [
        Contender(name="granian, fixed body", kind="floor", storage="disk", command=[*granian, "ceiling_apps:floor"],
                  env=env, query_path="/sparql", constant_path="/"),
        Contender(name="granian, bare pyoxigraph lookup", kind="floor", storage="disk",
                  command=[*granian, "ceiling_apps:bare_lookup"], env=env, query_path="/sparql",
                  constant_path="/sparql?query=ASK%7B%7D"),
        Contender(name="kg serve (shipped)", kind="kg", storage="disk",
                  command=[str(BIN / "kg"), "serve", "--store", f"oxigraph:{store}", "--host", "127.0.0.1",
                           "--port", "{port}"],
                  env={"SAHEL_KG_INSTALL_ARTICLE": "false", "SAHEL_KG_HOME": str(apps)}, constant_path="/healthz"),
        Contender(name="oxigraph serve-read-only", kind="oxigraph", storage="disk",
                  command=[str(BIN / "oxigraph"), "serve-read-only", "--location", str(store), "--bind",
                           "127.0.0.1:{port}"], query_path="/query"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a store serving.py made (its kg-store)")
    parser.add_argument("--triples", type=int, default=1_000_000, help="statements the store was made from")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ceiling-"))
    (work / "ceiling_apps.py").write_text(APPS, encoding="utf-8")
    rates: dict[str, list[float]] = {}
    running = [Running(contender, work) for contender in contenders(args.store.resolve(), work)]
    try:
        for _ in range(args.rounds):  # interleaved, so that the machine's load falls on all alike
            for server in running:
                script = work / f"{os.getpid()}-{server.port}.lua"
                script.write_text(wrk_script(server.contender.query_path, args.triples), encoding="utf-8")
                found = wrk(server.base, args.seconds, 8, 2, script)
                rates.setdefault(server.contender.name, []).append(found["requests_per_second"])
    finally:
        for server in running:
            server.stop()
    peer = max(rates["oxigraph serve-read-only"])
    print("| server | lookup req/s (best of rounds) | x oxigraph serve-read-only |\n|---|---:|---:|")
    for name, found in rates.items():
        print(f"| {name} | {max(found):,.0f} | {max(found) / peer:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
