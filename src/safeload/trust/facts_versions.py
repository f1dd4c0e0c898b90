"""Which libraries and which of safeload's own code the classes' facts describe.

:mod:`safeload.trust.facts` uses its data only when every library it was generated from is
installed at the same version, on the same Python, and safeload's checks are the ones it was
computed with. This module reads the installed versions from the libraries' ``.dist-info``
(without importing them) and fingerprints safeload's code; :mod:`safeload.trust._gen_facts`
records the same values when it writes the data.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["code_fingerprint", "installed_version", "python_version"]


def installed_version(distribution: str, package: str) -> str | None:
    """The version of ``distribution`` whose files are the importable ``package``, read from
    its ``.dist-info`` next to the package, without importing it (nor ``importlib.metadata``,
    which costs more than a scan). ``None`` when that cannot be said for sure: the package is
    not found, is not a directory in a site directory, or has no or several ``.dist-info``."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.submodule_search_locations:
        return None
    site = os.path.dirname(os.path.dirname(os.path.abspath(spec.origin)))
    prefix = distribution.replace("-", "_").lower() + "-"
    try:
        names = [
            n for n in os.listdir(site) if n.endswith(".dist-info") and n.lower().startswith(prefix)
        ]
    except OSError:
        return None
    if len(names) != 1:
        return None
    try:
        with open(os.path.join(site, names[0], "METADATA"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("Version:"):
                    return line.partition(":")[2].strip()
                if not line.strip():
                    break
    except OSError:
        return None
    return None


def python_version() -> str:
    """The Python implementation and version the facts must have been generated on."""
    return f"{sys.implementation.name}-{sys.version_info[0]}.{sys.version_info[1]}"


def _code_print(code: Any, into: Any) -> None:
    into.update(code.co_code)
    into.update(repr(code.co_names).encode())
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            _code_print(const, into)
        else:
            into.update(repr(const).encode())


def code_fingerprint() -> str:
    """A digest of safeload's own code that the facts were computed with (which native checks
    exist, which class names a state key may not hide, which classes have constraints): if a
    change to it is not followed by a new table, the facts are not used."""
    import hashlib

    from safeload import validate
    from safeload.trust import classes
    from safeload.trust.structures import values

    digest = hashlib.sha256()
    for fn in (
        validate._validators,
        values.metadata_validators,
        classes.class_names,
        classes.init_parameters,
        classes.constraints_of,
    ):
        _code_print(fn.__code__, digest)
    # the table of native checks is data, not code: a row added without new facts would let
    # the facts clear a class whose check they do not know
    for module, names, check in validate._CHECKED_KINDS:
        digest.update(repr((module, names, check.__name__)).encode())
    # so is the set of default types class_names lets an instance shadow (rt23, a note)
    digest.update(repr(sorted(t.__name__ for t in classes.PLAIN_DEFAULTS)).encode())
    return digest.hexdigest()
