"""The code map's rules (README): no import cycle among the project's modules, lazy imports included;
kg imports neither Flask nor api, but for kg/serve.py, the launcher that starts the HTTP layer; the map
names every module; pyflakes finds nothing in the code it ships."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAUNCHER = "kg.serve"


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted([*REPO.glob("kg/**/*.py"), *REPO.glob("api/**/*.py")]):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> tuple[set[str], set[str]]:
    """(the project's modules `path` imports, anywhere in it; the top-level names of everything it imports)."""

    def ours(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    project, tops = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            tops.add(name.split(".")[0])
            if ours(name):
                project.add(ours(name))
    return project, tops


def test_no_import_cycle():
    known = modules()
    graph = {name: imports(path, known)[0] - {name} for name, path in known.items()}
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    assert not cycles, f"import cycles: {cycles}"


def test_kg_imports_neither_flask_nor_api():
    known = modules()
    offenders = {name: sorted(tops & {"flask", "werkzeug", "api"}) for name, path in known.items()
                 if name.startswith("kg") and name != LAUNCHER for tops in [imports(path, known)[1]]
                 if tops & {"flask", "werkzeug", "api"}}
    assert not offenders


def test_a_query_worker_does_not_import_rdflib():
    """Each query worker is a fresh interpreter: rdflib would add about 20 MB and 40 ms of start to each."""
    from kg.runner import WORKER_COMMAND

    imported = WORKER_COMMAND.split("; serve(")[0] + "; import kg.store.oxigraph, kg.nearby, kg.streaming"
    # its arguments: a connection's descriptor (unused here) and where its stacks would go (standard error)
    found = subprocess.run([sys.executable, "-c", imported + "; print(sorted({m.split('.')[0] for m in sys.modules}))",
                            "0", "2"], capture_output=True, text=True, check=True).stdout
    assert "'rdflib'" not in found and "'flask'" not in found


def test_a_query_worker_loads_no_http_client_before_a_service_call(tmp_path):
    """urllib.request (http.client, email, ssl: about 3 MB a worker) is for SERVICE calls; a worker given its
    options (a Federation among them) and writing an XML answer has not loaded it."""
    import pickle

    from kg.answers import ServiceOptions
    from kg.federation import Federation
    from kg.runner import WORKER_COMMAND

    (tmp_path / "options").write_bytes(pickle.dumps(ServiceOptions(federation=Federation(
        state_path=tmp_path / "federation.sqlite"))))
    answered = WORKER_COMMAND.split("; serve(")[0] + (
        "; import pickle, kg.store.oxigraph, kg.nearby, kg.streaming; from kg.query import QueryService"
        f"; from kg.store import open_store; options = pickle.loads(open({str(tmp_path / 'options')!r}, 'rb').read())"
        "; print(QueryService(open_store('memory:'), federation=options.federation).query("
        "'SELECT * { VALUES ?x { \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> } }').serialize('xml'))"
        "; print(sorted(m for m in sys.modules if m.startswith(('http', 'urllib.request', 'email'))))")
    found = subprocess.run([sys.executable, "-c", answered, "0", "2"], capture_output=True, text=True, check=True).stdout
    assert "datatype=" in found and found.splitlines()[-1] == "[]"


def test_a_server_process_on_an_installed_store_does_not_import_rdflib(tmp_path):
    """rdflib builds the article; a server process of a store that has it holds about 5 MB less without it."""
    from kg.store.oxigraph import OxigraphStore

    store = OxigraphStore(tmp_path / "store")
    store.update("INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> a <https://example.org/C> } }")
    store.close()
    made = (f"import sys; from api import create_app; create_app({{'STORE': 'oxigraph:{tmp_path / 'store'}', "
            "'INSTALL_ARTICLE': True, 'QUERY_WORKERS': 1, 'MAX_QUERY_WORKERS': 1}).extensions['sahel-kg'].close(); "
            "print(sorted({m.split('.')[0] for m in sys.modules}))")
    found = subprocess.run([sys.executable, "-c", made], capture_output=True, text=True, check=True,
                           env={**os.environ, "SAHEL_KG_HOME": str(tmp_path / "home")}).stdout
    assert "'flask'" in found and "'rdflib'" not in found


def test_every_module_is_on_the_code_map():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    code_map = readme.split("## Code map", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([\w/]+(?:\.py|/))`", code_map))  # a path, a name beside its module's, a package/

    def on_the_map(path: Path) -> bool:
        given = str(path.relative_to(REPO))
        return given in named or (f"{path.parent.name}/" if path.name == "__init__.py" else path.name) in named

    missing = [str(path.relative_to(REPO)) for path in modules().values()
               if path != REPO / "kg" / "__init__.py" and not on_the_map(path)]
    assert not missing, f"modules the README's code map does not name: {missing}"


def test_the_library_the_api_and_the_benchmarks_have_no_unused_import_or_undefined_name():
    # pyflakes reads the code without running it; tests/ is left out: fixtures are imported for pytest to find.
    found = subprocess.run([sys.executable, "-m", "pyflakes", "kg", "api", "benchmarks"], cwd=REPO,
                           capture_output=True, text=True)
    assert found.returncode == 0, found.stdout + found.stderr
