"""False alarms and missed attacks: safeload against fickling, picklescan and modelscan.

    make compare        # or: .venv/bin/python benchmarks/compare_scanners.py

Writes every model of the test corpus with plain pickle (protocols 2-5) and plain joblib (every
compression), then asks each tool for a verdict. A clean model flagged, or a file the tool fails
on, is a false alarm. Then runs the attack corpus (safeload.testing) through the same tools: an
attack reported clean is a miss. Tools that are not installed are reported as such. Results go to
benchmarks/results/compare_scanners.json.
"""

from __future__ import annotations

import io
import json
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import coverage_corpus  # noqa: E402
from coverage_corpus import Tool  # noqa: E402

import safeload  # noqa: E402
from corpus import build_corpus  # noqa: E402

VARIANTS: list[tuple[str, dict[str, Any]]] = [
    *[(f"p{p}.pkl", {"protocol": p}) for p in (2, 3, 4, 5)],
    ("plain.joblib", {}),
    *[(f"{c}.joblib", {"compress": (c, 3)}) for c in ("zlib", "gzip", "bz2", "xz", "lzma")],
]

Verdict = Callable[[Path], bool]  # True = the tool says "unsafe" (or could not tell)


def _safeload(path: Path) -> bool:
    return not safeload.scan(path).safe


def _unsafe(tool: Tool | None) -> Verdict | None:
    """A coverage_corpus tool as a yes/no verdict: flagged or failed is "unsafe (or could not
    tell)"; clean or not scanned (the tool said nothing) is not."""
    if tool is None:
        return None
    return lambda path: tool(path) in ("flagged", "failed")


#: Seconds and bytes of address space a tool gets for one attack file. Some attacks are built to
#: exhaust a parser (memo-dag-constant-folding unfolds exponentially in fickling and took the
#: machine's memory and this script's whole run): such a tool gives no verdict, counted as
#: "unsafe or could not tell", and the run goes on.
ATTACK_SECONDS = 30
ATTACK_MEMORY = 4 << 30


def _isolated(tool: Verdict, path: Path) -> bool:
    """``tool(path)`` in a forked child, bounded in time and memory; no answer counts as True."""
    import multiprocessing
    import resource

    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def run() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ATTACK_MEMORY, ATTACK_MEMORY))
        child.send(tool(path))

    proc = ctx.Process(target=run, daemon=True)
    proc.start()
    child.close()  # so a child that dies gives EOF at once, not a timeout
    answer: Any = True
    if parent.poll(ATTACK_SECONDS):
        try:
            answer = parent.recv()
        except EOFError:  # crashed (a segfault, or the memory bound)
            answer = True
    proc.kill()
    proc.join()
    return bool(answer)


def main() -> int:
    tools: dict[str, Verdict | None] = {
        "safeload": _safeload,
        "fickling": _unsafe(coverage_corpus.fickling_tool()),
        "picklescan": _unsafe(coverage_corpus.picklescan_tool()),
        "modelscan": _unsafe(coverage_corpus.modelscan_tool()),
    }
    corpus = build_corpus()
    results: dict[str, Any] = {"models": len(corpus), "files": 0, "tools": {}}
    flagged: dict[str, list[str]] = {name: [] for name in tools}
    missed: dict[str, list[str]] = {name: [] for name in tools}
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for entry in corpus:
            for suffix, opts in VARIANTS:
                path = Path(tmp) / f"{entry.name}.{suffix}"
                if suffix.endswith(".pkl"):
                    path.write_bytes(pickle.dumps(entry.estimator, protocol=opts["protocol"]))
                else:
                    buf = io.BytesIO()
                    joblib.dump(entry.estimator, buf, **opts)
                    path.write_bytes(buf.getvalue())
                files.append(path)
        results["files"] = len(files)
        attacks = []
        try:
            from safeload.testing import attack_corpus

            marker = str(Path(tmp) / "MARKER-never-created")
            for case in attack_corpus():
                ext = (
                    ".skops"
                    if case.container == "skops"
                    else (".pkl" if case.container == "pickle" else ".joblib")
                )
                path = Path(tmp) / f"attack-{case.name}{ext}"
                path.write_bytes(case.build(marker))
                attacks.append(path)
        except ImportError:
            pass
        for name, tool in tools.items():
            if tool is None:
                results["tools"][name] = "not installed"
                continue
            start = time.perf_counter()
            flagged[name] = [f.name for f in files if tool(f)]
            check = tool if name == "safeload" else (lambda f, t=tool: _isolated(t, f))
            missed[name] = [f.name for f in attacks if not check(f)]
            results["tools"][name] = {
                "false_alarms": len(flagged[name]),
                "clean_files": len(files),
                "attacks_missed": len(missed[name]),
                "attacks": len(attacks),
                "seconds": round(time.perf_counter() - start, 2),
                "examples_flagged": flagged[name][:5],
                "examples_missed": missed[name][:5],
            }
    print(
        f"{results['models']} model kinds, {results['files']} clean files, "
        f"{len(attacks)} attack files"
    )
    print(f"{'tool':<12}{'false alarms':>16}{'attacks missed':>18}")
    for name, r in results["tools"].items():
        if isinstance(r, str):
            print(f"{name:<12}{r:>34}")
        else:
            print(
                f"{name:<12}{r['false_alarms']:>9} / {r['clean_files']:<5}"
                f"{r['attacks_missed']:>11} / {r['attacks']:<5}"
            )
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "compare_scanners.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
