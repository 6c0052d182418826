"""Shared fixtures: the seed corpus (read from ../shared/seeds, never copied) built once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures"


# the folders pyproject.toml maps into the one package (``package-dir``), and what a wheel is
# built from: their tracked sources, the build's files and the README (its long description)
PACKAGE_DIR: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "tool"]["setuptools"]["package-dir"]
PACKAGED = ("pyproject.toml", "setup.py", "README.md", *PACKAGE_DIR.values())


def build_wheel(src: Path, out: Path, env: dict[str, str] | None = None) -> Path:
    """The wheel of a copy of the tracked sources, built offline into ``out`` (the checkout gets
    no build/); ``env``: the build's environment (``CCHC_COMPILE``)."""
    files = subprocess.run(["git", "ls-files", *PACKAGED], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    for name in files:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-q", "-w", str(out), str(src)], check=True, capture_output=True,
                   env={**os.environ, **(env or {})})
    (path,) = out.glob("*.whl")
    return path


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.exists():
        pytest.skip(f"seed corpus not found at {SEEDS}")
    return SEEDS


@pytest.fixture(scope="session")
def seed_store(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the seeds; tests only read it."""
    from cchc_graph.graph.store.build import Store

    store = Store(tmp_path_factory.mktemp("store"))
    report = store.build([seeds_dir])
    assert not report.skipped, report.skipped
    return store.root


@pytest.fixture(scope="session")
def seed_export(seed_store: Path) -> dict:
    from cchc_graph.graph.store.build import Store

    return Store(seed_store).load_export()


@pytest.fixture(scope="session")
def seed_corpus(seed_store: Path):
    """The seed store's database, one snapshot for the session."""
    from cchc_graph.library import open_store

    with open_store(seed_store).snapshot() as c:
        yield c


@pytest.fixture(scope="session")
def own_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled examples plus the query fixtures written for these tests (own words)."""
    from cchc_graph.graph.store.build import Store

    store = Store(tmp_path_factory.mktemp("own"))
    report = store.build([EXAMPLES, FIXTURES / "queries"])
    assert not report.skipped, report.skipped
    return store.root


@pytest.fixture(scope="session")
def own_corpus(own_store: Path):
    from cchc_graph.library import open_store

    with open_store(own_store).snapshot() as c:
        yield c


@pytest.fixture(scope="session")
def seed_facts(seeds_dir: Path) -> dict:
    from cchc_graph.loaders.pipeline import load_document

    return {p.name[:3]: load_document(p) for p in sorted(seeds_dir.glob("*.txt"))}


def by_id(items: list[dict]) -> dict[str, dict]:
    return {x["id"]: x for x in items}


def dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)
