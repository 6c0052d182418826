"""The built distribution puts one package in site-packages, cchc_graph, with every module and
data file of the repository's folders inside it."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PACKAGE_DIR, ROOT, build_wheel

FOLDERS = ("graph", "loaders", "api", "visualizations")  # generic names: never top-level


def tracked(*paths: str) -> list[str]:
    return subprocess.run(["git", "ls-files", *paths], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.split()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel (pure Python: no CCHC_COMPILE), built offline from a copy of the tracked sources."""
    return zipfile.ZipFile(build_wheel(tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")))


def test_one_top_level_package(wheel: zipfile.ZipFile) -> None:
    tops = {n.split("/")[0] for n in wheel.namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"cchc_graph"}
    (info,) = (t for t in tops if t.endswith(".dist-info"))
    assert wheel.read(f"{info}/top_level.txt").decode().split() == ["cchc_graph"]


def test_every_module_and_data_file_is_inside(wheel: zipfile.ZipFile) -> None:
    mapping = PACKAGE_DIR
    data = ("graph/exports/shapes.ttl", "loaders/data/*.tsv", "visualizations/templates/*")
    files = [f for f in tracked(*mapping.values()) if f.endswith(".py")] + tracked(*data)
    inside = {folder: package.replace(".", "/") for package, folder in mapping.items()}
    expected = {f"{inside[f.split('/')[0]]}/{f.split('/', 1)[1]}" for f in files}
    names = set(wheel.namelist())
    assert len(expected) > 100 and len([f for f in expected if f.endswith(".tsv")]) > 10
    assert not expected - names, sorted(expected - names)


def test_no_module_imports_a_folder_by_its_bare_name(wheel: zipfile.ZipFile) -> None:
    """``import graph`` works in the checkout by accident (the working directory) and fails once
    installed: every import goes through cchc_graph or is relative."""
    bad = []
    for name in wheel.namelist():
        if name.endswith(".py"):
            for node in ast.walk(ast.parse(wheel.read(name))):
                mods = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                        [node.module] if isinstance(node, ast.ImportFrom) and not node.level else [])
                bad += [f"{name}: {m}" for m in mods if m and m.split(".")[0] in FOLDERS]
    assert not bad, bad


def test_installed_keys_read_their_data_table(wheel: zipfile.ZipFile, tmp_path: Path) -> None:
    """Unpacked as pip installs it, cchc_graph.keys finds loaders/data/abbreviations.tsv inside
    the package (python -S: no site-packages, so not the checkout's editable install)."""
    wheel.extractall(tmp_path)
    code = (f"import sys; sys.path.insert(0, {str(tmp_path)!r}); from cchc_graph import keys; "
            "print(keys.__file__); print(keys.expand_abbreviations('UBND tỉnh'))")
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True)
    where, expanded = out.stdout.splitlines()
    assert where.startswith(str(tmp_path)) and expanded == "Ủy ban nhân dân tỉnh"
