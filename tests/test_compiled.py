"""The static pass compiled with mypyc (setup.py) must behave exactly like its Python source.

The compiled modules are built from the same files, but mypyc checks declared types at run time
and handles a few constructs differently (a name bound in two ``except`` clauses, for one). So
the pure-Python source runs in a subprocess on the attack corpus, on fitted models in every
pickle protocol and joblib, and on damaged copies of them, and every analysis must match the
compiled one field by field.
"""

from __future__ import annotations

import ast
import importlib
import io
import itertools
import json
import os
import pickle
import random
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

from corpus import build_corpus
from safeload.pickle.analysis import StreamAnalysis
from safeload.pickle.walker import analyze
from safeload.policy import Policy
from safeload.testing import attack_corpus
from test_opcodes import TEXT_FORMS

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "safeload"


def _setup_py_modules() -> list[str]:
    """The module names in setup.py's COMPILED list, the one place that decides what is built."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "COMPILED" for t in node.targets
        ):
            paths = ast.literal_eval(node.value)
            return [
                ".".join(Path(p).relative_to("src/safeload").with_suffix("").parts) for p in paths
            ]
    raise AssertionError("setup.py has no COMPILED list")


COMPILED = _setup_py_modules()


def test_makefile_rebuilds_on_edits_to_every_compiled_module() -> None:
    """The Makefile's COMPILED list (its rebuild trigger) must name what setup.py compiles."""
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    line = next(ln for ln in makefile.splitlines() if ln.startswith("COMPILED :="))
    listed = [
        (prefix + name).replace("/", ".")
        for prefix, names in re.findall(r"addprefix src/safeload/([\w/]*),([^)]*)\)", line)
        for name in re.findall(r"([\w]+)\.py", names)
    ]
    assert sorted(listed) == sorted(COMPILED)


def _compiler_present() -> bool:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(compiler) is not None


def test_static_pass_is_compiled_and_not_stale() -> None:
    """Where a compiler exists the pass must be the compiled one, built from the current source
    (a stale extension would shadow edits to the .py files)."""
    if os.environ.get("SAFELOAD_PURE_PYTHON") == "1" or not _compiler_present():
        pytest.skip("pure-Python install")
    for name in COMPILED:
        module = importlib.import_module(f"safeload.{name}")
        built = Path(str(module.__file__))
        assert built.suffix == ".so", f"safeload.{name} is not compiled: {built}"
        source = SRC.joinpath(*name.split(".")).with_suffix(".py")
        assert built.stat().st_mtime >= source.stat().st_mtime, (
            f"{built.name} is older than {source.name}: rebuild with `make test` "
            "(or pip install -e .)"
        )


def _summary(a: StreamAnalysis) -> dict[str, Any]:
    return {
        "globals": [[g.module, g.qualname, g.offset, g.opcode, g.trusted] for g in a.globals],
        "problems": [[f.offset, f.opcode, f.message, f.limit] for f in a.problems],
        "notes": [[f.offset, f.opcode, f.message] for f in a.notes],
        "protocol": a.protocol,
        "opcodes": a.opcode_count,
        "regions": [list(r) for r in a.array_regions],
        "end": a.end,
        "frames": a.frame_ops,
        "builds": a.wrapper_builds,
        "views": [list(v) for v in a.buffer_views],
    }


_PURE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import safeload.pickle.walker as scan_module
assert scan_module.__file__.endswith(".py"), scan_module.__file__
from safeload.policy import Policy
sys.path.insert(0, sys.argv[2])
from test_compiled import _summary
out = []
for path, joblib_stream in json.load(open(sys.argv[3])):
    data = open(path, "rb").read()
    out.append(_summary(scan_module.analyze(data, policy=Policy(), joblib=joblib_stream)))
print(json.dumps(out))
"""


def _inputs(work: Path) -> list[tuple[str, bool]]:
    streams: list[tuple[bytes, bool]] = []
    for case in attack_corpus():
        if case.container in ("pickle", "joblib"):
            streams.append((case.build(str(work / "marker")), case.container == "joblib"))
    for model in build_corpus()[::3]:
        for protocol in (0, 2, 4, 5):
            streams.append((pickle.dumps(model.estimator, protocol=protocol), False))
        buf = io.BytesIO()
        joblib.dump(model.estimator, buf)
        streams.append((buf.getvalue(), True))
    big = np.arange(5000, dtype=np.float64)  # arrays the analysis lists as buffer views
    streams.append(
        (pickle.dumps({"a": big, "b": bytearray(5000), "c": big[::2]}, protocol=5), False)
    )
    # every text-argument form of the parity table (issue 14), accepted or refused
    streams.extend((op + form + b"\n.", False) for op, form, _ in TEXT_FORMS)
    rng = random.Random(0)
    for data, is_joblib in list(streams):
        damaged = bytearray(data)
        for _ in range(3):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        streams.append((bytes(damaged), is_joblib))
        streams.append((data[: rng.randrange(1, len(data))], is_joblib))
    listed = []
    for i, (data, is_joblib) in enumerate(streams):
        path = work / f"stream{i}"
        path.write_bytes(data)
        listed.append((str(path), is_joblib))
    return listed


def test_compiled_and_pure_python_analyses_agree(tmp_path: Path) -> None:
    pure = tmp_path / "pure"
    shutil.copytree(SRC, pure / "safeload", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    work = tmp_path / "streams"
    work.mkdir()
    inputs = _inputs(work)
    inputs_file = tmp_path / "inputs.json"
    inputs_file.write_text(json.dumps(inputs))
    run = subprocess.run(
        [sys.executable, "-c", _PURE, str(pure), str(Path(__file__).parent), str(inputs_file)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    expected = json.loads(run.stdout)
    assert len(expected) == len(inputs) > 300
    refused = viewed = 0
    for (path, is_joblib), want in zip(inputs, expected, strict=True):
        got = _summary(analyze(Path(path).read_bytes(), policy=Policy(), joblib=is_joblib))
        assert json.loads(json.dumps(got)) == want, path
        refused += bool(want["problems"])
        viewed += bool(want["views"])
    assert refused > 100  # the damaged copies and the attacks do reach the error paths
    assert viewed >= 2  # and some list protocol 5 arrays as views


def test_the_pass_lets_other_threads_run() -> None:
    """Compiled code never releases the GIL on its own; the walker does so every 4096 opcodes,
    because a large load hashes the file in another thread while the pass runs. Measured as the
    longest stretch in which another Python thread could not run: without the yields it is the
    whole pass."""
    import threading
    import time

    stream = pickle.dumps([[i] for i in range(10_000)])  # about 40,000 opcodes: 9 yields
    stamps: list[float] = []
    done = threading.Event()

    def other() -> None:
        while not done.is_set():
            stamps.append(time.perf_counter())
            sum(range(100))  # interpreted work: needs the GIL

    thread = threading.Thread(target=other)
    thread.start()
    try:
        while not stamps:
            time.sleep(0.001)
        start = time.perf_counter()
        assert analyze(stream, policy=Policy()).safe
        end = time.perf_counter()
    finally:
        done.set()
        thread.join()
    during = [start, *(t for t in stamps if start <= t <= end), end]
    longest = max(b - a for a, b in itertools.pairwise(during))
    assert longest < (end - start) / 4, (longest, end - start)


def test_version_says_which_build_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from safeload.cli import main

    assert main(["--version"]) == 0
    compiled = Path(str(sys.modules["safeload.pickle.walker"].__file__)).suffix == ".so"
    expected = "compiled with mypyc" if compiled else "pure Python"
    assert f"(static pass: {expected})" in capsys.readouterr().out


_PURE_UBJ = """
import json, sys
sys.path.insert(0, sys.argv[1])
import safeload.trust.xgboost_ubj as ubj
assert ubj.__file__.endswith(".py"), ubj.__file__
sys.path.insert(0, sys.argv[2])
from test_compiled import _ubj_summary
blobs = json.load(open(sys.argv[3]))
print(json.dumps([_ubj_summary(ubj, open(path, "rb").read()) for path in blobs]))
"""


def _ubj_summary(ubj: Any, blob: bytes) -> Any:
    """What ``ubj.parse`` makes of ``blob``, as JSON: typed arrays and long strings by their
    fields, an error by its message."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if type(value).__name__ == "Typed":
            return ["typed", value.code, value.offset, value.count]
        if type(value).__name__ == "_LongStr":
            return ["long", value.size]
        if isinstance(value, float) and value != value:
            return "nan"
        return value

    try:
        return plain(ubj.parse(blob))
    except ubj.UBJError as exc:
        return ["error", str(exc)]


def test_compiled_and_pure_python_blob_parses_agree(tmp_path: Path) -> None:
    """xgboost's blob parser (compiled since stop 44) against its source: honest models'
    blobs, a multi-class and a categorical one, and damaged and cut copies of each."""
    xgb = pytest.importorskip("xgboost")
    import safeload.trust.xgboost_ubj as ubj

    rng = np.random.RandomState(0)
    x = rng.rand(200, 6)
    models = [
        xgb.XGBClassifier(n_estimators=5, max_depth=3, n_jobs=1).fit(x, rng.randint(0, 2, 200)),
        xgb.XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1).fit(x, np.arange(200) % 4),
        xgb.XGBRegressor(n_estimators=4, booster="gblinear", n_jobs=1).fit(x, rng.rand(200)),
    ]
    blobs = [bytes(m.get_booster().__getstate__()["handle"]) for m in models]
    blobs += [bytes(m.get_booster().save_raw("ubj")) for m in models]
    rand = random.Random(0)
    for blob in list(blobs):
        for _ in range(10):
            damaged = bytearray(blob)
            for _ in range(3):
                damaged[rand.randrange(len(damaged))] = rand.randrange(256)
            blobs.append(bytes(damaged))
        blobs.append(blob[: rand.randrange(1, len(blob))])
    paths = []
    for i, blob in enumerate(blobs):
        path = tmp_path / f"blob{i}"
        path.write_bytes(blob)
        paths.append(str(path))
    listed = tmp_path / "blobs.json"
    listed.write_text(json.dumps(paths))
    pure = tmp_path / "pure"
    shutil.copytree(SRC, pure / "safeload", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    run = subprocess.run(
        [sys.executable, "-c", _PURE_UBJ, str(pure), str(Path(__file__).parent), str(listed)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    want = json.loads(run.stdout)
    got = [json.loads(json.dumps(_ubj_summary(ubj, b))) for b in blobs]
    assert got == want
    errors = sum(1 for g in got if isinstance(g, list) and g[:1] == ["error"])
    assert len(got) - 6 > errors > 10  # the error paths are reached, and not only they
