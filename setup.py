"""Build hook (the project's metadata is in pyproject.toml).

With ``CCHC_COMPILE=1`` a regular install (``pip install .``, a wheel) also compiles the
extractor's modules with mypyc: the same source, as C extensions beside it, which extract the
same facts with ~8-10 % less CPU per document (``docs/performance.md``). Without it — the
default, and always for an editable install, whose compiled modules would hide every later edit
of their source — the package is pure Python.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from setuptools import Extension, setup

# the modules compiled: the extractor's steps and the text helpers they call per document
# (not the model: its dataclasses are pickled between processes and read by every stage)
COMPILED = ("loaders/extract/*.py", "loaders/normalize.py", "loaders/outline.py", "loaders/text.py",
            "loaders/sourcemap.py", "loaders/lexicon.py", "loaders/pipeline.py")
STAGE = Path("build") / "mypyc-src"  # the package as installed, for mypyc to name its modules


def _staged() -> list[str]:
    """The sources copied into ``STAGE`` as the package they are installed as (mypyc names a
    module by its path; the repository's folders are mapped into cchc_graph), and the paths of
    those to compile there."""
    shutil.rmtree(STAGE, ignore_errors=True)
    package = STAGE / "cchc_graph"
    skip = shutil.ignore_patterns("__pycache__", "*.so")  # (sources only)
    shutil.copytree("cchc_graph", package, ignore=skip)
    shutil.copytree("loaders", package / "loaders", ignore=skip)
    return sorted(str(p) for pattern in COMPILED for p in package.glob(pattern))


def extensions() -> list[Extension]:
    """The compiled modules, when asked for and this is the build of a regular install."""
    if os.environ.get("CCHC_COMPILE") != "1" or {"egg_info", "dist_info"} & set(sys.argv):
        return []  # (the metadata step: mypyc run there leaves the build's run nothing to emit)
    if "editable_wheel" in sys.argv:
        raise SystemExit("CCHC_COMPILE=1: compile in a regular install (pip install .), not an editable "
                         "one: its compiled modules would hide every later edit of their source")
    from mypyc.build import mypycify  # (mypy, installed before the build: README)

    paths = _staged()
    # (the modules they import are read for their types, their own errors not reported: only
    # the compiled ones must type-check); one shared library inside the package (by default
    # mypyc names it by a hash, at the top of site-packages)
    return mypycify(["--follow-imports=silent", *paths], opt_level="3",
                    separate=[(paths, "cchc_graph._compiled")])


setup(ext_modules=extensions())
