"""What a regular (not editable) install ships: every file the code reads at run time that is not Python
source must match the package data that pyproject.toml declares, or a wheel leaves it out."""

from __future__ import annotations

import fnmatch
import subprocess
from pathlib import Path, PurePosixPath

try:
    import tomllib
except ImportError:  # before Python 3.11: the test extras install tomli, its model
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent


def matches(pattern: str, path: PurePosixPath) -> bool:
    """Glob matching as setuptools does for package data: `*` stays within one folder."""
    wanted = pattern.split("/")
    return len(wanted) == len(path.parts) and all(fnmatch.fnmatchcase(part, want)
                                                  for part, want in zip(path.parts, wanted))


def folder_of(package: str, folders: dict[str, str]) -> PurePosixPath:
    """The package's folder, as setuptools finds it: under the folder package-dir gives its nearest ancestor."""
    parts = package.split(".")
    for cut in range(len(parts), 0, -1):
        mapped = folders.get(".".join(parts[:cut]))
        if mapped is not None:
            return PurePosixPath(mapped, *parts[cut:])
    return PurePosixPath(*parts)


def shipped(path: PurePosixPath, settings: dict) -> bool:
    for package, patterns in settings["package-data"].items():
        folder = folder_of(package, settings.get("package-dir", {}))
        if folder in path.parents and any(matches(p, path.relative_to(folder)) for p in patterns):
            return True
    return False


def test_every_data_file_of_the_packages_is_shipped():
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    tracked = subprocess.run(["git", "ls-files", "kg", "api", "ontology"], cwd=REPO, capture_output=True,
                             text=True, check=True).stdout.split()
    left_out = [name for name in tracked if not name.endswith(".py") and not shipped(PurePosixPath(name), settings)]
    assert not left_out, f"files a wheel would leave out (add them to package-data): {left_out}"
