"""What :func:`~safeload.scan` does for a skops file: the zip and schema checks, and the load's
own post-build checks on what skops would build."""

from __future__ import annotations

from safeload._types import Buffer
from safeload.exceptions import SafeloadError
from safeload.policy import Limits, Policy
from safeload.scan import Finding, GlobalRef, ScanReport


def scan_skops(data: Buffer, pol: Policy, lim: Limits, label: str) -> ScanReport:
    """:func:`~safeload.scan`'s report on the skops file ``data`` (named ``label``)."""
    from safeload.skops_format import check_zip, native_problem, schema_globals, skops_types

    try:
        zf = check_zip(data, lim, label)
        found = schema_globals(zf, label)
        skops_types(data, lim, label)  # skops must be able to read the schema too
        problem = native_problem(zf, label)
    except SafeloadError as exc:
        return ScanReport(label, "skops", (), (Finding(0, "", str(exc)),), (), None, 0)
    if problem:
        return ScanReport(label, "skops", (), (Finding(0, "", problem),), (), None, 0)
    refs: dict[tuple[str, str], GlobalRef] = {}
    for loader, module, name in found:
        refs.setdefault(
            (module, name), GlobalRef(module, name, 0, loader, pol.allows(module, name))
        )
    findings: tuple[Finding, ...] = ()
    if all(r.trusted for r in refs.values()):
        # what a load checks after building (use-time rules, native structures), on the
        # pickle of what skops would build (r15-17: scan skipped them for skops files)
        from safeload.trust.skops_stream import skops_findings

        findings = tuple(skops_findings(zf, pol, lim))
    return ScanReport(label, "skops", tuple(refs.values()), findings, (), None, 0)
