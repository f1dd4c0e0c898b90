"""``safeload scan``: list what pickle, joblib or skops files would import, without importing or
running anything."""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import safeload
from safeload._trust_checks import only_unreviewed
from safeload.cli._common import (
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    command,
    emit,
    json_arg,
    profile_arg,
    trust_arg,
)
from safeload.cli._paths import list_folder
from safeload.exceptions import (
    ArtifactNotFoundError,
    LimitExceededError,
    MalformedArtifactError,
    UsageError,
)
from safeload.pickle.analysis import Finding, GlobalRef, ScanReport
from safeload.policy import name_runs_code, never_trustable

if TYPE_CHECKING:
    from safeload.cli._common import Sub


def add(sub: Sub) -> None:
    sc = command(
        sub,
        "scan",
        "list what a pickle/joblib/skops file would import",
        "List every global a pickle, joblib or skops file refers to, which the allowlist "
        "trusts, and any construct safeload refuses, without importing or running anything. "
        "Exit 1 if any file is unsafe, 2 if a file cannot be read.",
        [
            "safeload scan third_party.pkl",
            "safeload scan model.joblib --trust mypkg.features.MyTransformer --json",
            "safeload scan models/*.pkl --sarif > scan.sarif",
            "safeload scan --jobs 2 models/",
        ],
    )
    sc.add_argument(
        "files",
        nargs="+",
        metavar="FILE|DIR",
        help="files to scan; a folder stands for every model file under it",
    )
    sc.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="scan N files at a time, in N worker processes",
    )
    trust_arg(sc)
    profile_arg(sc)
    sc.add_argument(
        "--format",
        choices=("pickle", "joblib", "skops"),
        help="read every FILE as this format (default: from the content and extension)",
    )
    out = sc.add_mutually_exclusive_group()
    json_arg(out)
    out.add_argument("--sarif", action="store_true", help="SARIF 2.1.0 output")


def _scan_one(
    f: str, trusted: list[str], profiles: list[str], fmt: str | None
) -> ScanReport | dict[str, str]:
    """Scan one file: its report, or what made it unreadable (one file that cannot be read
    does not hide the results for the others)."""
    try:
        return safeload.scan(f, trusted=trusted, profiles=profiles, format=fmt)
    except (LimitExceededError, MalformedArtifactError, ArtifactNotFoundError) as exc:
        return {"file": f, "error": type(exc).__name__, "message": str(exc)}


#: A report as plain tuples of its fields, to cross a process boundary (the compiled build's
#: frozen dataclasses do not unpickle).
_Portable = tuple[
    str, str, list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], "int | None", int
]


def _scan_portable(
    f: str, trusted: list[str], profiles: list[str], fmt: str | None
) -> _Portable | dict[str, str]:
    """:func:`_scan_one` in a worker process: the report as plain tuples."""
    r = _scan_one(f, trusted, profiles, fmt)
    if isinstance(r, dict):
        return r
    return (
        r.source,
        r.format,
        [(g.module, g.qualname, g.offset, g.opcode, g.trusted) for g in r.globals],
        [(x.offset, x.opcode, x.message, x.limit, x.use_time) for x in r.findings],
        [(x.offset, x.opcode, x.message, x.limit, x.use_time) for x in r.notes],
        r.protocol,
        r.opcode_count,
    )


def _report(p: _Portable | dict[str, str]) -> ScanReport | dict[str, str]:
    if isinstance(p, dict):
        return p
    source, fmt, refs, findings, notes, protocol, count = p
    return ScanReport(
        source,
        fmt,
        tuple(GlobalRef(*g) for g in refs),
        tuple(Finding(*x) for x in findings),
        tuple(Finding(*x) for x in notes),
        protocol,
        count,
    )


def _scan_files(args: argparse.Namespace) -> list[ScanReport | dict[str, str]]:
    """Every file given, a folder standing for the model files under it; with ``--jobs N``,
    N worker processes scan them (the static pass is CPU-bound: threads would take turns)."""
    files: list[str] = []
    skipped: list[ScanReport | dict[str, str]] = []
    for entry in args.files:
        if not Path(entry).is_dir():
            files.append(entry)
            continue
        listing = list_folder(Path(entry))
        files += listing.files
        skipped += [_link_out(link, entry) for link in listing.links_out]
        skipped += [
            {"file": f, "error": "OSError", "message": f"{f}: cannot be read ({why})"}
            for f, why in listing.unreadable
        ]
    return skipped + _scan_all(files, args)


def _link_out(link: str, folder: str) -> ScanReport:
    """A symbolic link out of a scanned folder: not followed (a scan of a folder reads nothing
    outside it, rt26b-14), and unsafe, since a loader given the path would follow it."""
    message = (
        f"a symbolic link to a path outside {folder}: not followed, so not scanned (a loader "
        "given this path would read what it points to)"
    )
    return ScanReport(link, "unknown", (), (Finding(0, "", message),), (), None, 0)


def _scan_all(files: list[str], args: argparse.Namespace) -> list[ScanReport | dict[str, str]]:
    """Scan ``files``, in ``--jobs`` worker processes when there are several."""
    options: dict[str, Any] = {"trusted": args.trust, "profiles": args.profiles, "fmt": args.format}
    if args.jobs <= 1 or len(files) < 2:
        return [_scan_one(f, **options) for f in files]
    work = functools.partial(_scan_portable, **options)
    from concurrent.futures import ProcessPoolExecutor

    context = _worker_context()
    if context is None:
        return [_scan_one(f, **options) for f in files]
    if context.get_start_method() == "forkserver":
        # the server imports the scan's modules once and forks each worker from itself: without
        # this every worker started as a bare interpreter and imported them all again
        context.set_forkserver_preload(list(_WORKER_MODULES))
    with _safe_path(), ProcessPoolExecutor(max_workers=args.jobs, mp_context=context) as pool:
        chunk = max(1, len(files) // (4 * args.jobs))
        return [_report(p) for p in pool.map(work, files, chunksize=chunk)]


#: What a worker imports to scan (the static pass, its use-time rules and shadows, numpy for
#: the arrays): the forkserver imports them before it forks the workers.
_WORKER_MODULES = (
    "numpy",
    "safeload._unsigned",
    "safeload.trust.static",
    "safeload.trust.shadow",
    "safeload.cli.scan",
)


def _worker_context() -> Any:
    """How workers start without importing anything from the working directory, or ``None``
    (scan in this process). A forkserver or spawned worker is a fresh ``python -c ...``, which
    puts the working directory first on ``sys.path`` while it imports ``multiprocessing``,
    ``socket`` and more: a ``socket.py`` in a scanned checkout would run (rt26b-15). Python
    3.11+ leaves it out under ``PYTHONSAFEPATH`` (see :func:`_safe_path`); 3.10 forks instead,
    which starts no interpreter."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if sys.version_info < (3, 11):
        return multiprocessing.get_context("fork") if "fork" in methods else None
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """``OPENBLAS_NUM_THREADS=1`` (unless already set) while the files are scanned, for the numpy
    this process or its workers import: a scan does no linear algebra, and OpenBLAS starts a
    thread per core at import that spins for a while (60 ms of CPU for one small file, taken
    from the other core, or from the other worker under ``--jobs``). Nothing else reads it."""
    if "OPENBLAS_NUM_THREADS" in os.environ:
        yield
        return
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        yield
    finally:
        del os.environ["OPENBLAS_NUM_THREADS"]


@contextlib.contextmanager
def _safe_path() -> Iterator[None]:
    """``PYTHONSAFEPATH=1`` in the environment the workers inherit, while they start."""
    before = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = before


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    reports = []
    unreadable: list[dict[str, str]] = []
    with _one_blas_thread():
        results = _scan_files(args)
    for result in results:
        if isinstance(result, dict):
            unreadable.append(result)
            print(f"safeload: {result['message']}", file=err)
        else:
            reports.append(result)
    worst = EXIT_OK if all(r.safe for r in reports) else EXIT_FAIL
    if worst == EXIT_OK and unreadable:
        worst = EXIT_USAGE  # an unsafe verdict outranks an unreadable file; both are failures
    if args.sarif:
        from safeload.sarif import to_sarif

        emit(out, to_sarif(reports, unreadable))
    elif args.json:
        doc: dict[str, Any] = {"ok": worst == EXIT_OK, "reports": [r.to_dict() for r in reports]}
        if unreadable:
            doc["errors"] = unreadable
        emit(out, doc)
    else:
        _print_reports(reports, worst != EXIT_OK, out, err)
    return worst


def _one_line(text: str) -> str:
    """A file or global name on one line: a newline in it would start a forged report line
    (the rest of the control characters are escaped on the way out, see cli.main)."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _print_reports(reports: list[ScanReport], failed: bool, out: TextIO, err: TextIO) -> None:
    """The text report: a verdict for each file with what made it unsafe, then, on ``err``,
    what to do about it (``failed``: a file was unsafe or could not be read)."""
    for r in reports:
        print(
            f"{r.verdict.upper()} {_one_line(r.source)} ({r.format}, {len(r.globals)} globals, "
            f"{len(r.untrusted)} untrusted)",
            file=out,
        )
        for name in r.untrusted:
            print(f"  untrusted: {_one_line(name)}", file=out)
        for finding in r.findings:
            print(f"  refused: {_one_line(finding.message)} (byte {finding.offset})", file=out)
    code = sorted({n for r in reports for n in r.untrusted if name_runs_code(n)})
    if code:
        print(
            f"A file tries to run code: it refers to {', '.join(code)}, known code-execution "
            "primitive(s) that cannot be trusted. Do not load it.",
            file=err,
        )
    elif (never := never_trustable(sorted({n for r in reports for n in r.untrusted}))) and (
        only_unreviewed(never)
    ):
        print(
            f"A file refers to {', '.join(never)}, classes of installed packages safeload has "
            "not reviewed, which --trust refuses by name (their classes may open files, bind "
            "ports or run code when built). If the package is your own, load the file from "
            "Python, passing the class itself: load(..., trusted=[TheClass]).",
            file=err,
        )
    elif never:
        print(
            f"A file refers to {', '.join(never)}, which can never be trusted "
            "(only classes can be, and not these). Do not load it.",
            file=err,
        )
    elif failed:
        wanted = _profiles_covering(sorted({n for r in reports for n in r.untrusted}))
        hint = (
            f" The untrusted names are reviewed in the opt-in profile(s) "
            f"{', '.join(wanted)}: scan again with "
            + " ".join(f"--profile {w}" for w in wanted)
            + " if you trust files of those libraries (`safeload profiles` says what that "
            "rests on)."
            if wanted
            else ""
        )
        print(
            "Unsafe files must not be loaded. Trust a name only if you trust its code: "
            f"--trust NAME / load(..., trusted=[...]) (classes only).{hint}",
            file=err,
        )


def _profiles_covering(names: list[str]) -> list[str]:
    """The profiles that trust every one of ``names`` (empty if any is in none)."""
    wanted: list[str] = []
    for name in names:
        found = safeload.profiles_for_name(name)
        if not found:
            return []
        if found[0] not in wanted:
            wanted.append(found[0])
    return wanted
