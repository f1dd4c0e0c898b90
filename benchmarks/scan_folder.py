"""Scanning a folder of model files: safeload against picklescan and modelscan (issue 18).

    .venv/bin/python benchmarks/scan_folder.py [--files 200]

Writes ``--files`` small random forests (5 trees each, pickle protocol 4) into a temporary
folder, then times each tool's command line on the whole folder, as a user or a registry hook
would run it (one process per tool, start-up included), and compares the verdicts: every file
is a clean model, so every tool should call every file clean. Also times one small file
(a fitted LinearRegression) per tool, best of ``--small-repeat`` runs, with Python's own
start-up for reference, and reports safeload's time as a ratio to picklescan's (issue 18's
target: at most 1.5). ``--small-only`` runs just that row. Results go to
benchmarks/results/scan_folder.json.

``make bench`` byte-compiles ``src`` first, as pip does for the installed tools compared here:
an editable install under PYTHONDONTWRITEBYTECODE=1 compiles safeload's modules from source on
every start (a single small file: about 0.5 s instead of 0.3 s on a loaded 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def _timed(argv: list[str], repeat: int) -> tuple[float, subprocess.CompletedProcess[str]]:
    best, last = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        last = subprocess.run(argv, capture_output=True, text=True, check=False)
        best = min(best, time.perf_counter() - start)
    assert last is not None
    return best, last


def _tools(target: Path) -> dict[str, list[str]]:
    tools = {
        "safeload scan": [str(BIN / "safeload"), "scan", "--json", str(target)],
        "safeload scan --jobs 2": [
            str(BIN / "safeload"),
            "scan",
            "--jobs",
            "2",
            "--json",
            str(target),
        ],
        "picklescan": [str(BIN / "picklescan"), "-p", str(target)],
        "modelscan": [str(BIN / "modelscan"), "-p", str(target)],
    }
    return {k: v for k, v in tools.items() if shutil.which(v[0]) or Path(v[0]).exists()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--small-repeat", type=int, default=10)
    ap.add_argument("--small-only", action="store_true", help="time only the one small file")
    args = ap.parse_args(argv)
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LinearRegression

    rng = np.random.RandomState(0)
    x = rng.rand(200, 8)
    y = (x[:, 0] > 0.5).astype(int)
    results: dict[str, object] = {"files": args.files}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "models"
        folder.mkdir()
        for i in range(0 if args.small_only else args.files):
            forest = RandomForestClassifier(n_estimators=5, random_state=i).fit(x, y)
            (folder / f"forest_{i:04d}.pkl").write_bytes(pickle.dumps(forest, protocol=4))
        size = sum(f.stat().st_size for f in folder.iterdir())
        small = Path(tmp) / "small.pkl"
        model = LinearRegression().fit(x[:, :1], x[:, 0] * 3 + 1)
        small.write_bytes(pickle.dumps(model, protocol=4))
        rows = {}
        tools = {} if args.small_only else _tools(folder)
        if tools:
            print(f"{args.files} forest pickles, {size / 1e6:.1f} MB; best of {args.repeat}")
        for label, cmd in tools.items():
            seconds, proc = _timed(cmd, args.repeat)
            clean = proc.returncode == 0
            rows[label] = {
                "seconds": seconds,
                "files_per_second": args.files / seconds,
                "all_clean": clean,
            }
            print(
                f"  {label:<24}{seconds:7.2f} s {args.files / seconds:8.0f} files/s"
                f"  verdict: {'all clean' if clean else 'flagged or failed'}"
            )
        if rows:
            results["folder"] = rows
        one = {}
        # numpy's import is the floor of any scan that models an array's dtype and shape
        # with numpy's own parser, as safeload's does; picklescan imports no numpy
        small_tools = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
            **_tools(small),
        }
        print(f"one small file ({small.stat().st_size} bytes), best of {args.small_repeat}:")
        for label, cmd in small_tools.items():
            if "--jobs" in cmd:
                continue
            seconds, _ = _timed(cmd, args.small_repeat)
            one[label] = seconds
            print(f"  {label:<24}{seconds * 1000:7.0f} ms")
        results["one_small_file"] = one
        if "safeload scan" in one and "picklescan" in one:
            ratio = one["safeload scan"] / one["picklescan"]
            results["one_small_file_ratio_to_picklescan"] = ratio
            print(f"  safeload scan / picklescan: {ratio:.2f} (target: at most 1.5)")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    name = "scan_one_file.json" if args.small_only else "scan_folder.json"
    (out / name).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
