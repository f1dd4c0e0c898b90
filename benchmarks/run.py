"""Speed and memory of safeload against the unsafe loaders it replaces.

    make bench                      # full sizes (a 300-tree forest, a 1 GiB array)
    .venv/bin/python benchmarks/run.py --quick     # small sizes, a smoke run

Every figure is a ratio measured side by side in one process: the loaders are interleaved, each
run best-of and median-of N. Peak RSS of each load is measured in a fresh subprocess. Results go
to benchmarks/results/bench.json (and bench.png when matplotlib is installed); a full run (all
models, with memory) also rewrites the table between the bench markers in README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import joblib
import numpy as np

import safeload

HERE = Path(__file__).resolve().parent


def _models(quick: bool, wanted: set[str]) -> dict[str, Any]:
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LinearRegression

    models: dict[str, Any] = {}
    if "forest" in wanted:
        trees, rows = (20, 2000) if quick else (300, 20_000)
        x, y = make_classification(n_samples=rows, n_features=30, random_state=0)
        models["forest"] = RandomForestClassifier(
            n_estimators=trees, random_state=0, n_jobs=-1
        ).fit(x, y)
    if "array" in wanted:
        n = (16 << 20) // 8 if quick else (1 << 30) // 8
        models["array"] = {"weights": np.random.default_rng(0).standard_normal(n)}
    if "booster" in wanted:  # (not in the default set: xgboost is a profile, not a dependency)
        import xgboost

        trees, rows = (20, 2000) if quick else (300, 20_000)
        x, y = make_classification(n_samples=rows, n_features=30, random_state=0)
        models["booster"] = xgboost.XGBClassifier(n_estimators=trees, max_depth=6).fit(x, y)
    if "home" in wanted:
        models["home"] = LinearRegression().fit(
            [[2600], [3000], [3200], [3600], [4000]], [550000, 565000, 610000, 680000, 725000]
        )
    return models


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def _interleaved(cases: dict[str, Callable[[], Any]], repeat: int) -> dict[str, dict[str, float]]:
    runs: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(repeat):
        for name, fn in cases.items():
            runs[name].append(_time(fn, 1)[0])
    return {k: {"best": min(v), "median": statistics.median(v)} for k, v in runs.items()}


_RSS_CHILD = """
import sys, pickle, joblib
def hwm():  # VmHWM is per address space, so unlike ru_maxrss it does not survive exec
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
kind, path, pub = sys.argv[1], sys.argv[2], sys.argv[3]
import safeload
before = hwm()
if kind == "joblib.load":
    obj = joblib.load(path)
elif kind == "pickle.load":
    with open(path, "rb") as fh:
        obj = pickle.load(fh)
elif kind == "safeload.load":
    obj = safeload.load(path, safeload.VerifyKey.from_file(pub))
elif kind == "load_unsigned":
    obj = safeload.load_unsigned(path)
print(before, hwm())
"""


def _peak_rss(kind: str, path: Path, pub: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _RSS_CHILD, kind, str(path), str(pub)],
        capture_output=True,
        text=True,
        check=True,
    )
    before, after = (int(v) for v in out.stdout.split())
    return {"peak_rss_mb": after / 1024, "load_growth_mb": (after - before) / 1024}


def _sha256_only(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` as a verifier without safeload[fast] would: SHA-256, never BLAKE3."""
    from safeload import _progress

    real = _progress.blake3_module
    _progress.blake3_module = lambda: None  # type: ignore[assignment]
    try:
        return fn()
    finally:
        _progress.blake3_module = real  # type: ignore[assignment]


def _sha256sum(path: Path) -> Callable[[], Any]:
    def run() -> None:
        subprocess.run(["sha256sum", str(path)], capture_output=True, check=True)

    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small models, 3 runs")
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--no-rss", action="store_true", help="skip the subprocess memory runs")
    ap.add_argument(
        "--models",
        default="forest,array,home",
        help="comma-separated subset of forest,array,home (default: all), or booster (an "
        "XGBClassifier of 300 trees, loaded with the xgboost profile)",
    )
    args = ap.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 5)
    key = safeload.SigningKey.generate()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pub = key.public_key.save(work / "bench.pub")
        wanted = set(args.models.split(","))
        for name, model in _models(args.quick, wanted).items():
            profiles = ["xgboost"] if name == "booster" else []
            files = {
                "joblib": work / f"{name}.joblib",
                "pickle": work / f"{name}.pkl",
                "skops": work / f"{name}.skops",
            }
            for path in files.values():
                if path.suffix == ".skops" and name == "array" and not args.quick:
                    continue  # skops stores arrays as .npy members; 1 GiB adds nothing new
                if path.suffix == ".skops" and name == "booster":
                    continue  # skops has no type for an xgboost Booster
                safeload.dump(model, path, key)
            for fmt, path in files.items():
                if not path.exists():
                    continue
                plain: Callable[[], Any]
                if fmt == "joblib":
                    plain = lambda p=path: joblib.load(p)  # noqa: E731
                elif fmt == "pickle":

                    def plain(p: Path = path) -> Any:
                        with p.open("rb") as fh:
                            return pickle.load(fh)
                else:
                    import skops.io

                    types = skops.io.get_untrusted_types(file=path)
                    plain = lambda p=path, t=types: skops.io.load(p, trusted=t)  # noqa: E731
                cases: dict[str, Callable[[], Any]] = {
                    "plain": plain,
                    "safeload.load": lambda p=path, f=profiles: safeload.load(
                        p, key.public_key, profiles=f
                    ),
                    "load_unsigned": lambda p=path, f=profiles: safeload.load_unsigned(
                        p, profiles=f
                    ),
                    "verify only": lambda p=path: safeload.verify(p, key.public_key),
                    "verify sha256": lambda p=path: _sha256_only(
                        lambda: safeload.verify(p, key.public_key)
                    ),
                    "sha256sum": _sha256sum(path),
                    "hashlib.sha256": lambda p=path: hashlib.sha256(p.read_bytes()).digest(),
                }
                timings = _interleaved(cases, repeat)
                base = timings["plain"]["best"]
                row: dict[str, Any] = {
                    "model": name,
                    "format": fmt,
                    "bytes": path.stat().st_size,
                    "timings": timings,
                    "ratios": {k: v["best"] / base for k, v in timings.items()},
                }
                if not args.no_rss and fmt in ("joblib", "pickle") and not profiles:
                    plain_kind = "joblib.load" if fmt == "joblib" else "pickle.load"
                    row["memory"] = {
                        k: _peak_rss(k, path, pub)
                        for k in (plain_kind, "safeload.load", "load_unsigned")
                    }
                rows.append(row)
        import_ms = _import_time()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    _print(rows, machine, import_ms)
    args.out.mkdir(parents=True, exist_ok=True)
    doc = {
        "machine": machine,
        "quick": args.quick,
        "repeat": repeat,
        "import_safeload_ms": import_ms,
        "rows": rows,
    }
    (args.out / "bench.json").write_text(json.dumps(doc, indent=2) + "\n")
    _plot(rows, args.out / "bench.png")
    if not args.quick and wanted == {"forest", "array", "home"} and not args.no_rss:
        _write_readme_table(rows, machine, import_ms, README)
    return 0


README = HERE.parent / "README.md"
_BEGIN, _END = "<!-- bench:begin -->", "<!-- bench:end -->"
_NAMES = {"forest": "forest, 300 trees", "array": "1 GiB float64 array", "home": "home prices"}


def _seconds(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 0.01 else f"{s:.3f} s"


def _readme_table(rows: list[dict[str, Any]], machine: str, import_ms: float) -> str:
    """The README's performance table: one row per model and format, from this run only."""
    lines = [
        f"Latest `make bench` ({machine}, {date.today().isoformat()}; written by"
        " `benchmarks/run.py`, do not edit by hand):",
        "",
        "| model | format | size | plain load | `safeload.load` (signed) | `load_unsigned` "
        "| verify only | peak RSS: plain / safeload |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        plain = r["timings"]["plain"]["best"]
        size = r["bytes"]
        shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size:,} bytes"
        if plain < 0.01:  # tiny files: the overhead in ms says more than a ratio
            cells = [
                f"+{(r['timings'][k]['best'] - plain) * 1000:.1f} ms"
                for k in ("safeload.load", "load_unsigned")
            ] + [""]
        else:
            cells = [f"{r['ratios'][k]:.2f}x" for k in ("safeload.load", "load_unsigned")]
            cells.append(f"{r['ratios']['verify only']:.2f}x")
        memory = ""
        if "memory" in r:
            peaks = [v["peak_rss_mb"] for v in r["memory"].values()]
            memory = f"{peaks[0]:.0f} / {peaks[1]:.0f} MB"
        lines.append(
            f"| {_NAMES.get(r['model'], r['model'])} | {r['format']} | {shown} "
            f"| {_seconds(plain)} | " + " | ".join(cells) + f" | {memory} |"
        )
    lines += ["", f"`import safeload`: {import_ms:.0f} ms (best of 5 fresh interpreters)."]
    return "\n".join(lines)


def _write_readme_table(
    rows: list[dict[str, Any]], machine: str, import_ms: float, readme: Path
) -> None:
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(_BEGIN), text.find(_END)
    if start < 0 or end < start:
        print(f"{readme}: no {_BEGIN} ... {_END} block; table not written")
        return
    table = _readme_table(rows, machine, import_ms)
    readme.write_text(text[: start + len(_BEGIN)] + "\n" + table + "\n" + text[end:])
    print(f"updated the performance table in {readme}")


def _import_time() -> float:
    code = "import time; t=time.perf_counter(); import safeload; print(time.perf_counter()-t)"
    best = min(
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    )
    return best * 1000


def _print(rows: list[dict[str, Any]], machine: str, import_ms: float) -> None:
    print(f"machine: {machine}; import safeload: {import_ms:.0f} ms")
    head = f"{'model':<8}{'format':<8}{'MB':>8}  {'plain s':>9}"
    cols = ["safeload.load", "load_unsigned", "verify only", "sha256sum"]
    print(head + "".join(f"{c:>15}" for c in cols))
    for r in rows:
        line = (
            f"{r['model']:<8}{r['format']:<8}{r['bytes'] / 1e6:>8.1f}  "
            f"{r['timings']['plain']['best']:>9.4f}"
        )
        print(line + "".join(f"{r['ratios'][c]:>14.2f}x" for c in cols))
    for r in rows:
        if r["bytes"] >= 50e6:
            rate = {
                k: r["bytes"] / r["timings"][k]["best"] / 1e9
                for k in ("verify only", "verify sha256", "sha256sum")
            }
            print(
                f"hashing {r['model']}/{r['format']}: verify {rate['verify only']:.2f} GB/s "
                f"(BLAKE3 when installed), verify with SHA-256 {rate['verify sha256']:.2f} "
                f"GB/s, sha256sum {rate['sha256sum']:.2f} GB/s"
            )
    for r in rows:
        if "memory" in r:
            mem = ", ".join(f"{k} {v['peak_rss_mb']:.0f} MB" for k, v in r["memory"].items())
            print(f"peak RSS {r['model']}/{r['format']} ({r['bytes'] / 2**20:.0f} MiB file): {mem}")


def _plot(rows: list[dict[str, Any]], target: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    labels = [f"{r['model']}\n{r['format']}" for r in rows]
    series = ["safeload.load", "load_unsigned", "verify only"]
    fig, ax = plt.subplots(figsize=(max(6, len(rows) * 1.1), 4))
    width = 0.8 / len(series)
    for i, s in enumerate(series):
        ax.bar(
            [j + i * width for j in range(len(rows))],
            [r["ratios"][s] for r in rows],
            width,
            label=s,
        )
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks([j + width for j in range(len(rows))], labels, fontsize=8)
    ax.set_ylabel("time / plain loader")
    ax.legend()
    fig.tight_layout()
    fig.savefig(target, dpi=110)


if __name__ == "__main__":
    raise SystemExit(main())
