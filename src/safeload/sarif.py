"""SARIF 2.1.0 output for ``safeload scan --sarif`` (code-scanning dashboards)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import safeload
from safeload.pickle.analysis import ScanReport

__all__ = ["to_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_RULES = [
    {
        "id": "SL001",
        "name": "UntrustedGlobal",
        "shortDescription": {"text": "The file would import a global that is not allowlisted."},
        "fullDescription": {
            "text": "Loading this file would resolve a module attribute that safeload's policy "
            "does not trust; such names can run arbitrary code when deserialized."
        },
        "defaultConfiguration": {"level": "error"},
        "help": {
            "text": "Do not load the file. Trust the name (--trust NAME) only if you trust the "
            "code behind it."
        },
    },
    {
        "id": "SL002",
        "name": "RefusedConstruct",
        "shortDescription": {"text": "The stream is malformed or uses a refused construct."},
        "fullDescription": {
            "text": "The static scan could not follow the stream (parse error, limit, bytes after "
            "STOP, out-of-band data, extension codes, ...). safeload treats this as unsafe."
        },
        "defaultConfiguration": {"level": "error"},
        "help": {"text": "Do not load the file; obtain a fresh copy from its publisher."},
    },
    {
        "id": "SL003",
        "name": "NotScanned",
        "shortDescription": {"text": "The file could not be read, so it was not scanned."},
        "fullDescription": {
            "text": "safeload could not read the file (a limit, an I/O error, a path the system "
            "cannot open): nothing is known about what it would do when loaded."
        },
        "defaultConfiguration": {"level": "error"},
        "help": {"text": "Do not load the file until a scan of it succeeds."},
    },
]


def _location(source: str, offset: int) -> dict[str, Any]:
    uri = Path(source).as_posix() if source != "<bytes>" else "stdin"
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"byteOffset": max(offset, 0), "byteLength": 1},
        }
    }


def to_sarif(
    reports: Sequence[ScanReport], unreadable: Sequence[Mapping[str, str]] = ()
) -> dict[str, Any]:
    """One SARIF run with a result per untrusted global and per refused construct, and one per
    file that could not be read (``{"file", "error", "message"}``): a dashboard must not show
    a clean run for files nobody scanned (rt26b-09)."""
    results: list[dict[str, Any]] = []
    for u in unreadable:
        results.append(
            {
                "ruleId": "SL003",
                "ruleIndex": 2,
                "level": "error",
                "message": {"text": f"{u['file']} was not scanned: {u['message']}"},
                "locations": [_location(u["file"], 0)],
            }
        )
    for r in reports:
        for g in r.globals:
            if not g.trusted:
                results.append(
                    {
                        "ruleId": "SL001",
                        "ruleIndex": 0,
                        "level": "error",
                        "message": {
                            "text": f"{r.source} would import untrusted global {g.name} "
                            f"({g.opcode})."
                        },
                        "locations": [_location(r.source, g.offset)],
                    }
                )
        for f in r.findings:
            results.append(
                {
                    "ruleId": "SL002",
                    "ruleIndex": 1,
                    "level": "error",
                    "message": {"text": f"{r.source}: {f.message}"},
                    "locations": [_location(r.source, f.offset)],
                }
            )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "safeload",
                        "version": safeload.__version__,
                        "informationUri": "https://pypi.org/project/safeload/",
                        "rules": _RULES,
                    }
                },
                "results": results,
            }
        ],
    }
