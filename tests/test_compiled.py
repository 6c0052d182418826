"""The compiled build (``CCHC_COMPILE=1``, setup.py): one package still, the extractor's modules
compiled by mypyc, and the very facts the pure-Python extractor finds, document for document."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import orjson
import pytest
from conftest import EXAMPLES, FIXTURES, ROOT, SEEDS, build_wheel

pytest.importorskip("mypyc", reason="mypy (mypyc) is in the test extra: pip install -e '.[test]'")

REALDEV = ROOT.parent / "shared" / "realdev"
# each document's facts as one hash (the script runs in the compiled package's process too)
FACTS = """
import hashlib, sys, orjson
import cchc_graph.loaders.extract.agencies as compiled
from cchc_graph.loaders.pipeline import load_document
from cchc_graph.loaders.schema import to_dict
out = {"compiled": compiled.__file__}
for path in sys.argv[1:]:
    facts = to_dict(load_document(path))
    out[path] = hashlib.sha256(orjson.dumps(facts, option=orjson.OPT_SORT_KEYS)).hexdigest()
sys.stdout.buffer.write(orjson.dumps(out))
"""


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compiled wheel, unpacked as pip installs it."""
    wheel = build_wheel(tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel"), {"CCHC_COMPILE": "1"})
    out = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(out)
    return out


def documents() -> list[str]:
    """Every form the extractor reads: the seeds, the real published documents (with and without
    gold), the examples, and the fixtures of other formats."""
    found = [*SEEDS.glob("*.txt"), *REALDEV.glob("docs/*"), *REALDEV.glob("unlabeled/*"),
             *EXAMPLES.glob("*.md"), *FIXTURES.glob("queries/*"), *FIXTURES.glob("*.pdf")]
    return sorted(str(p) for p in found if p.is_file())


def _facts(python_path: Path | None, paths: list[str]) -> dict[str, str]:
    code = FACTS if python_path is None else f"import sys; sys.path.insert(0, {str(python_path)!r})\n{FACTS}"
    done = subprocess.run([sys.executable, "-c", code, *paths], capture_output=True, check=True, cwd="/")
    return orjson.loads(done.stdout)


def test_one_package_with_the_extractor_compiled(unpacked: Path) -> None:
    assert {p.name for p in unpacked.iterdir() if not p.name.endswith(".dist-info")} == {"cchc_graph"}
    compiled = {p.relative_to(unpacked).as_posix().split(".")[0] for p in unpacked.rglob("*.so")}
    assert {"cchc_graph/loaders/pipeline", "cchc_graph/loaders/extract/roles",
            "cchc_graph/loaders/extract/agencies", "cchc_graph/loaders/normalize"} <= compiled
    assert not any(c.startswith("cchc_graph/graph/") for c in compiled)  # (the store stays Python)


def test_the_compiled_extractor_finds_the_same_facts(unpacked: Path) -> None:
    paths = documents()
    assert len(paths) >= 10
    compiled, plain = _facts(unpacked, paths), _facts(None, paths)
    assert compiled.pop("compiled").endswith(".so")  # (else the comparison would prove nothing)
    assert plain.pop("compiled").endswith(".py")
    assert compiled == plain
    assert len(set(plain.values())) == len(paths)  # (each document's own facts)


def test_an_editable_install_is_never_compiled(tmp_path: Path) -> None:
    """Compiled modules beside their source would hide every later edit of it."""
    shutil.copy2(ROOT / "setup.py", tmp_path)
    done = subprocess.run([sys.executable, "setup.py", "editable_wheel"], cwd=tmp_path, capture_output=True,
                          text=True, env={"CCHC_COMPILE": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode != 0 and "not an editable one" in done.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "setup.py"]  # (stopped before anything was staged)


def test_the_build_benchmark_runs_the_compiled_copy(unpacked: Path, seeds_dir: Path, tmp_path: Path) -> None:
    """``benchmarks/against.py --ours-from``: this side built by the compiled copy, the other by
    the checkout, at once."""
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "against.py"), "--corpus", str(seeds_dir),
                          "--other", str(ROOT), "--rounds", "1", "--work", str(tmp_path),
                          "--ours-from", str(unpacked)], capture_output=True, text=True, timeout=300, check=True)
    assert "round 1: ours" in run.stdout
    for side in ("ours", "theirs"):
        assert (tmp_path / side / "cchc.sqlite").stat().st_size > 0
