"""What :func:`~safeload.scan` does: read a file's head, then the file, for the static pass; for a
skops file the zip and schema checks, and the load's own post-build checks on what skops would
build. Nothing is verified and nothing from the file runs."""

from __future__ import annotations

from collections.abc import Iterable

from safeload import formats
from safeload import io as fileio
from safeload._types import Buffer, PathLike, file_path
from safeload.exceptions import SafeloadError
from safeload.pickle.analysis import Finding, GlobalRef, ScanReport
from safeload.pickle.walker import analyze
from safeload.policy import Limits, Policy


def scan_source(
    source: PathLike | bytes, pol: Policy, lim: Limits, format: str | None
) -> ScanReport:
    """:func:`~safeload.scan`'s report on a file or bytes, in ``format`` (``None``: from the
    name and content)."""
    data: Buffer
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, label = bytes(source), "<bytes>"
        fmt = format or formats.sniff_format(data)
    else:
        p = file_path(source, "source")
        head = fileio.read_head(p, fileio.HEAD)
        if not formats.could_be_model(head):
            # refused on its first bytes: a large file that is no model is never read whole
            problem = f"not a pickle, joblib or skops file (it starts with {head[:8]!r})"
            guess = format or formats.format_from_name(p.name) or "pickle"
            return ScanReport(str(p), guess, (), (Finding(0, "", problem),), (), None, 0)
        data, label = fileio.read_for_scan(p, lim.max_file_size), str(p)
        fmt = formats.format_for(p, data, format)
    if fmt == "skops":
        return scan_skops(data, pol, lim, label)
    stream: Buffer = data
    findings: list[Finding] = []
    if fmt == "joblib":
        try:
            stream = formats.joblib_stream(data, lim, label)
        except SafeloadError as exc:
            findings.append(Finding(0, "", str(exc)))
            return ScanReport(label, fmt, (), tuple(findings), (), None, 0)
    size = len(memoryview(data).cast("B"))
    result = analyze(stream, policy=pol, limits=lim, joblib=(fmt == "joblib"), file_size=size)
    if result.joblib_content and format is None:
        # named .pkl (or sniffed) as pickle, but the analysis met joblib's array placeholder:
        # joblib content, which only the joblib reading describes (rt14 f04)
        fmt = "joblib"
        result = analyze(data, policy=pol, limits=lim, joblib=True, file_size=size)
    return ScanReport(
        label,
        fmt,
        tuple(result.globals),
        tuple(result.problems) + _trusted_names_problems(result.globals, pol),
        tuple(result.notes),
        result.protocol,
        result.opcode_count,
    )


def scan_skops(data: Buffer, pol: Policy, lim: Limits, label: str) -> ScanReport:
    """:func:`~safeload.scan`'s report on the skops file ``data`` (named ``label``)."""
    from safeload._global_names import format_name, parse_name
    from safeload.skops_format import (
        check_zip,
        native_problem,
        schema_globals,
        trusted_names_problem,
        untrusted_in_skops,
    )

    try:
        zf = check_zip(data, lim, label)
        found = schema_globals(zf, label)
        # what a load refuses by name: the schema's names under the policy, and the types
        # skops' own audit reports that the policy does not trust (rt46-05: scan had read
        # only the first, so a DTypeNode naming numpy.str was SAFE to scan and refused)
        listed, reported, _tree = untrusted_in_skops(zf, pol, label)
        untrusted = set(listed)
        refused = None if untrusted else trusted_names_problem(zf, pol, label, reported)
        problem = native_problem(zf, label)
    except SafeloadError as exc:
        return ScanReport(label, "skops", (), (Finding(0, "", str(exc)),), (), None, 0)
    if problem:
        return ScanReport(label, "skops", (), (Finding(0, "", problem),), (), None, 0)
    refs: dict[tuple[str, str], GlobalRef] = {}
    for loader, module, name in found:
        trusted = format_name(module, name) not in untrusted
        refs.setdefault((module, name), GlobalRef(module, name, 0, loader, trusted))
    named = {format_name(*key) for key in refs}
    for n in sorted(untrusted - named):
        module, name = parse_name(n)
        refs.setdefault((module, name), GlobalRef(module, name, 0, "skops audit", False))
    findings: tuple[Finding, ...] = ()
    if refused is not None:  # (the load's guard question, rt98-11)
        findings = (Finding(0, "", f"the policy trusts {refused[0]}, but {refused[1]}"),)
    elif all(r.trusted for r in refs.values()):
        # what a load checks after building (use-time rules, native structures), on the
        # pickle of what skops would build (r15-17: scan skipped them for skops files)
        from safeload.trust.skops_stream import skops_findings

        findings = tuple(skops_findings(zf, pol, lim, len(memoryview(data).cast("B"))))
    return ScanReport(label, "skops", tuple(refs.values()), findings, (), None, 0)


def _trusted_names_problems(names: Iterable[GlobalRef], pol: Policy) -> tuple[Finding, ...]:
    """What the load's guard refuses among the names the policy allows a file to use, as it
    resolves them (:func:`safeload.pickle.guard.trusted_name_problem`): a policy built by
    hand may hold a name ``trusted=`` would refuse (rt96-04)."""
    from safeload.pickle.guard import trusted_name_problem

    found: list[Finding] = []
    asked: set[tuple[str, str]] = set()  # (each name once: 160,000 GLOBALs of one, rt98-05)
    for g in names:
        if not g.trusted or (g.module, g.qualname) in asked:
            continue
        asked.add((g.module, g.qualname))
        problem = trusted_name_problem(pol, g.module, g.qualname)
        if problem is not None:
            message = f"the policy trusts {g.name}, but {problem}"
            found.append(Finding(g.offset, g.opcode, message))
            break
    return tuple(found)
