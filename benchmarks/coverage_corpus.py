"""The coverage corpus (issue 15): every model kind x every writer, through safeload and the others.

    make compare    # or: .venv/bin/python benchmarks/coverage_corpus.py [--kinds a,b]

Fits every kind in ``tests/corpus_kinds.py``, writes it with every writer (pickle protocols 2, 4
and 5; joblib uncompressed, zlib and xz; cloudpickle; skops), and for each file records:

- safeload ``load_unsigned`` under the default policy: **loaded** (every output identical to the
  original's on a fixed probe input), **refused** (with the reason) or **wrong** (loaded, but an
  output differs or raises);
- safeload ``scan``'s verdict, which must be the load's (issue 14: scan = load);
- the verdicts of picklescan, modelscan and fickling on the same file: **clean**, **flagged**,
  **failed** (the tool could not read the file) or **not scanned** (it skipped the file, or said
  nothing because it found no pickle to read). On these benign files, flagged and failed are
  false alarms.

Third-party kinds run where their library is importable, with ``profiles=[kind.profile]`` when
``load_unsigned`` accepts that keyword; otherwise a refusal is recorded as "needs profile".

Writes ``benchmarks/results/coverage_corpus.json``, prints a table, and (for a full run) rewrites
the block between ``<!-- coverage:begin -->`` and ``<!-- coverage:end -->`` in README.md.
"""

from __future__ import annotations

import argparse
import inspect
import json
import platform
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

import safeload  # noqa: E402
from corpus_kinds import KINDS, WRITERS, Kind, available, fit, judge, outputs, write  # noqa: E402

#: A tool's verdict on one file.
Tool = Callable[[Path], str]
OUTCOMES = ("loaded", "refused", "wrong", "crashed", "needs profile")


# --- the other tools ---------------------------------------------------------------------------


def picklescan_tool() -> Tool | None:
    try:
        from picklescan.scanner import scan_file_path
    except ImportError:
        return None

    def verdict(path: Path) -> str:
        try:
            r = scan_file_path(str(path))
        except Exception:
            return "failed"
        if r.issues_count or r.infected_files:
            return "flagged"
        if r.scan_err:
            return "failed"
        return "clean" if r.scanned_files else "not scanned"

    return verdict


def modelscan_tool() -> Tool | None:
    try:
        from modelscan.modelscan import ModelScan
    except ImportError:
        return None

    def verdict(path: Path) -> str:
        try:
            r = ModelScan().scan(str(path))
        except Exception:
            return "failed"
        if r.get("issues"):
            return "flagged"
        if r.get("errors"):
            return "failed"
        scanned = r.get("summary", {}).get("scanned", {}).get("total_scanned", 0)
        return "clean" if scanned else "not scanned"

    return verdict


def fickling_tool() -> Tool | None:
    try:
        import fickling
    except ImportError:
        return None

    def verdict(path: Path) -> str:
        try:
            return "clean" if fickling.is_likely_safe(str(path)) else "flagged"
        except Exception:
            return "failed"

    return verdict


# --- safeload ----------------------------------------------------------------------------------


def _accepts_profiles(fn: Callable[..., Any]) -> bool:
    return "profiles" in inspect.signature(fn).parameters


def _reason(exc: BaseException, path: Path) -> str:
    names = getattr(exc, "names", None)
    if names:
        return f"{type(exc).__name__}: {', '.join(names)}"
    text = str(exc).replace(str(path), path.name).splitlines()[0]
    return f"{type(exc).__name__}: {text[:300]}"


def _safeload_row(
    kind: Kind, writer: str, path: Path, expected: dict[str, Any], x_probe: Any
) -> dict[str, Any]:
    load_kw: dict[str, Any] = {}
    scan_kw: dict[str, Any] = {}
    profile_missing = False
    if kind.profile is not None:
        if _accepts_profiles(safeload.load_unsigned):
            load_kw["profiles"] = [kind.profile]
            if _accepts_profiles(safeload.scan):
                scan_kw["profiles"] = [kind.profile]
        else:
            profile_missing = True
    row: dict[str, Any] = {}
    try:
        report = safeload.scan(path, **scan_kw)
        row["scan"] = report.verdict
    except Exception as exc:  # scan must never raise on a file; record it as a crash
        row["scan"] = f"crashed: {_reason(exc, path)}"
    try:
        loaded = safeload.load_unsigned(path, **load_kw)
    except safeload.SafeloadError as exc:
        row["outcome"] = "needs profile" if profile_missing else "refused"
        row["reason"] = _reason(exc, path)
    except Exception as exc:
        row["outcome"] = "crashed"
        row["reason"] = _reason(exc, path)
    else:
        row["outcome"], note = judge(expected, loaded, x_probe, path.read_bytes(), writer)
        if note:
            row["reason" if row["outcome"] == "wrong" else "note"] = note
    built = row["outcome"] in ("loaded", "wrong")
    row["scan_agrees"] = row["scan"] == ("safe" if built else "unsafe")
    return row


# --- the run -----------------------------------------------------------------------------------


def run(kinds: list[Kind], workdir: Path, tools: dict[str, Tool | None]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    fit_seconds = 0.0
    for kind in kinds:
        base = {"kind": kind.name, "group": kind.group, "profile": kind.profile}
        if not available(kind):
            skipped.append({**base, "why": f"{kind.requires} is not installed"})
            continue
        start = time.perf_counter()
        try:
            fitted = fit(kind)
            expected = outputs(fitted.model, fitted.X)
        except Exception as exc:
            skipped.append({**base, "why": f"fit failed: {type(exc).__name__}: {exc}"})
            continue
        fit_seconds += time.perf_counter() - start
        for writer, suffix in WRITERS.items():
            row: dict[str, Any] = {**base, "writer": writer}
            try:
                data = write(fitted.model, writer)
            except Exception as exc:
                row["outcome"] = "not written"
                row["reason"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                rows.append(row)
                continue
            path = workdir / f"{kind.name}.{writer}{suffix}"
            path.write_bytes(data)
            row.update(_safeload_row(kind, writer, path, expected, fitted.X))
            row["tools"] = {name: tool(path) for name, tool in tools.items() if tool is not None}
            rows.append(row)
            path.unlink()
    return {"rows": rows, "skipped": skipped, "fit_seconds": round(fit_seconds, 1)}


def summarise(result: dict[str, Any], tool_names: list[str]) -> dict[str, Any]:
    rows = [r for r in result["rows"] if r["outcome"] != "not written"]
    per_writer: dict[str, dict[str, Any]] = {}
    for writer in WRITERS:
        ordinary = [r for r in rows if r["writer"] == writer and r["group"] == "ordinary"]
        counts = Counter(r["outcome"] for r in ordinary)
        entry: dict[str, Any] = {"files": len(ordinary), **{o: counts[o] for o in OUTCOMES}}
        entry["scan_agrees"] = sum(r["scan_agrees"] for r in ordinary)
        for t in tool_names:
            verdicts = Counter(r["tools"].get(t) for r in ordinary)
            entry[t] = {v: verdicts[v] for v in ("clean", "flagged", "failed", "not scanned")}
        per_writer[writer] = entry
    groups = {}
    for group in ("ordinary", "by-design", "third-party"):
        g = [r for r in rows if r["group"] == group]
        groups[group] = {
            "kinds": len({r["kind"] for r in g}),
            "files": len(g),
            **{o: sum(r["outcome"] == o for r in g) for o in OUTCOMES},
            "scan_agrees": sum(r["scan_agrees"] for r in g),
        }
    refused: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        if r["outcome"] not in ("loaded",):
            refused.setdefault(r["kind"], {}).setdefault(r["reason"], []).append(r["writer"])
    notes: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        if r.get("note"):
            notes.setdefault(r["kind"], {}).setdefault(r["note"], []).append(r["writer"])
    return {"per_writer": per_writer, "groups": groups, "not_loaded": refused, "notes": notes}


# --- output ------------------------------------------------------------------------------------


def _tool_cell(counts: dict[str, int]) -> str:
    """False alarms as "flagged / failed", then how many files the tool did not scan."""
    extra = f" ({counts['not scanned']} n/s)" if counts["not scanned"] else ""
    return f"{counts['flagged']} / {counts['failed']}{extra}"


def markdown(summary: dict[str, Any], meta: dict[str, Any], result: dict[str, Any]) -> str:
    tools = meta["tools"]
    head = ["writer", "files", "loaded", "refused", "wrong", "`scan` = load", *tools]
    lines = [
        f"{meta['ordinary_kinds']} ordinary scikit-learn kinds x {len(WRITERS)} writers "
        f"({meta['files']} files in all, with {meta['by_design_kinds']} kinds refused by design "
        f"and {meta['third_party_kinds']} third-party kinds); scikit-learn {meta['sklearn']}, "
        f"Python {meta['python']}. Ordinary kinds, by writer (the tool columns count false "
        "alarms: files flagged / files the tool failed to read; n/s: not scanned):",
        "",
        "| " + " | ".join(head) + " |",
        "| " + " | ".join(["---"] + ["---:"] * (len(head) - 1)) + " |",
    ]
    for writer, e in summary["per_writer"].items():
        cells = [
            f"`{writer}`",
            str(e["files"]),
            str(e["loaded"]),
            str(e["refused"] + e["crashed"]),
            str(e["wrong"]),
            f"{e['scan_agrees']} / {e['files']}",
            *[_tool_cell(e[t]) for t in tools],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    g = summary["groups"]
    lines += [
        "",
        f"Refused by design: {g['by-design']['kinds']} kinds, {g['by-design']['files']} files, "
        f"{g['by-design']['refused']} refused, {g['by-design']['loaded']} loaded "
        f"(`scan` agrees on {g['by-design']['scan_agrees']}). Third-party kinds: "
        f"{g['third-party']['kinds']} kinds, {g['third-party']['files']} files, "
        f"{g['third-party']['loaded']} loaded, {g['third-party']['refused']} refused with their "
        f"profile, {g['third-party']['needs profile']} need a profile that is not available yet.",
    ]
    ordinary_gaps = {
        k: v
        for k, v in summary["not_loaded"].items()
        if any(r["kind"] == k and r["group"] == "ordinary" for r in result["rows"])
    }
    disagree = sorted(
        {(r["kind"], r["writer"]) for r in result["rows"] if not r.get("scan_agrees", True)}
    )
    if disagree:
        lines += ["", "`scan` and `load_unsigned` disagree on:", ""]
        for kind in sorted({k for k, _ in disagree}):
            writers = [w for k, w in disagree if k == kind]
            scan_says = next(
                r["scan"] for r in result["rows"] if r["kind"] == kind and r["writer"] == writers[0]
            )
            who = "every writer" if len(writers) == len(WRITERS) else ", ".join(writers)
            lines.append(f"- `{kind}` ({who}): scan says {scan_says}, the load succeeds")
    unwritten = [
        r for r in result["rows"] if r["outcome"] == "not written" and r["group"] == "ordinary"
    ]
    if unwritten:
        lines += ["", "Not written (the writer itself cannot save the kind):", ""]
        lines += [f"- `{r['kind']}` by `{r['writer']}`: {r['reason']}" for r in unwritten]
    if summary["notes"]:
        lines += ["", "Loaded, but not identical to the in-memory original:", ""]
    for kind, notes in sorted(summary["notes"].items()):
        for note, writers in notes.items():
            who = "every writer" if len(writers) == len(WRITERS) else ", ".join(writers)
            lines.append(f"- `{kind}` ({who}): {note}")
    if ordinary_gaps:
        lines += ["", "Ordinary kinds that did not load with every writer:", ""]
        for kind, reasons in sorted(ordinary_gaps.items()):
            for reason, writers in reasons.items():
                who = "every writer" if len(writers) == len(WRITERS) else ", ".join(writers)
                lines.append(f"- `{kind}` ({who}): {reason}")
    return "\n".join(lines)


def _print_table(summary: dict[str, Any], tools: list[str]) -> None:
    head = f"{'writer':<13}{'files':>6}{'loaded':>8}{'refused':>9}{'wrong':>7}{'scan=load':>11}"
    print(head + "".join(f"{t:>20}" for t in tools))
    for writer, e in summary["per_writer"].items():
        print(
            f"{writer:<13}{e['files']:>6}{e['loaded']:>8}{e['refused'] + e['crashed']:>9}"
            f"{e['wrong']:>7}{e['scan_agrees']:>11}"
            + "".join(f"{_tool_cell(e[t]):>20}" for t in tools)
        )
    for group, g in summary["groups"].items():
        print(f"{group}: {json.dumps(g)}")
    print("not loaded:")
    for kind, reasons in sorted(summary["not_loaded"].items()):
        for reason, writers in reasons.items():
            print(f"  {kind} [{', '.join(writers)}]: {reason}")


def rewrite_readme(readme: Path, block: str) -> bool:
    text = readme.read_text()
    pattern = re.compile(r"(<!-- coverage:begin -->\n).*?(<!-- coverage:end -->)", re.S)
    if not pattern.search(text):
        return False
    readme.write_text(pattern.sub(lambda m: m.group(1) + block + "\n" + m.group(2), text))
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kinds", help="comma-separated kind names (default: all)")
    ap.add_argument("--no-readme", action="store_true", help="do not rewrite README.md")
    args = ap.parse_args(argv)
    kinds = KINDS
    if args.kinds:
        wanted = set(args.kinds.split(","))
        kinds = [k for k in KINDS if k.name in wanted]
    import sklearn

    tools: dict[str, Tool | None] = {
        "picklescan": picklescan_tool(),
        "modelscan": modelscan_tool(),
        "fickling": fickling_tool(),
    }
    tool_names = [t for t, v in tools.items() if v is not None]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(kinds, Path(tmp), tools)
    seconds = time.perf_counter() - start
    summary = summarise(result, tool_names)
    ran = {r["kind"]: r["group"] for r in result["rows"]}
    meta = {
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
        "tools": tool_names,
        "tools_missing": [t for t, v in tools.items() if v is None],
        "kinds": len(kinds),
        "ordinary_kinds": sum(g == "ordinary" for g in ran.values()),
        "by_design_kinds": sum(g == "by-design" for g in ran.values()),
        "third_party_kinds": sum(g == "third-party" for g in ran.values()),
        "files": sum(r["outcome"] != "not written" for r in result["rows"]),
        "not_written": sum(r["outcome"] == "not written" for r in result["rows"]),
        "profiles_keyword": _accepts_profiles(safeload.load_unsigned),
        "seconds": round(seconds, 1),
        "fit_seconds": result["fit_seconds"],
    }
    print(
        f"{meta['kinds']} kinds ({len(result['skipped'])} skipped), {meta['files']} files "
        f"({meta['not_written']} could not be written), {meta['seconds']} s "
        f"(fitting {meta['fit_seconds']} s)"
    )
    _print_table(summary, tool_names)
    for s in result["skipped"]:
        print(f"skipped {s['kind']}: {s['why']}")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    payload = {"meta": meta, "summary": summary, **result}
    (out / "coverage_corpus.json").write_text(json.dumps(payload, indent=1) + "\n")
    if not args.kinds and not args.no_readme:
        block = markdown(summary, meta, result)
        if rewrite_readme(ROOT / "README.md", block):
            print("README.md: coverage table rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
