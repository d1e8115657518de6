"""The benchmarks' load steps run end to end on a small generated file (their figures are not tested)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _generated(tmp_path: Path) -> Path:
    data = tmp_path / "data.nq"
    subprocess.run([sys.executable, str(BENCHMARKS / "generate.py"), "--triples", "3000", "--out", str(data)],
                   check=True, capture_output=True)
    return data


def test_run_py_loads_the_generated_data_with_kg_load_and_bulk_load(tmp_path):
    # The generated data names the project's own graphs; a store holding the article refuses them.
    data = _generated(tmp_path)
    done = subprocess.run([sys.executable, str(BENCHMARKS / "run.py"), "--data", str(data), "--repeat", "1",
                           "--methods", "kg-cli,load_files,bulk_load", "--work", str(tmp_path / "work"),
                           "--results", str(tmp_path / "results")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(next((tmp_path / "results").glob("*-load.json")).read_text())
    loaded = {row["method"]: row for row in report["results"]}
    assert set(loaded) == {"kg-cli", "load_files", "bulk_load"}


def test_serving_py_prepares_the_stores_it_serves(tmp_path):
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import serving
    finally:
        sys.path.remove(str(BENCHMARKS))
    data = _generated(tmp_path)
    prepared = serving.prepare(data, tmp_path / "work", 3000)
    assert prepared["quads_in_store"] >= 3000
    assert prepared["dump"].stat().st_size > 0
