"""Sign bytes into an envelope; verify bytes against an envelope and pinned keys.

:func:`verify_bytes` is the only code that can construct a :class:`VerifiedArtifact`, and the
format readers accept nothing else (except an explicitly named :class:`UnsignedArtifact`), so
deserializing unverified bytes is a type error rather than a code-review catch.

The work is done in sub-modules, one responsibility each: :mod:`~safeload.signing.sign` (bytes
or a folder into an envelope), :mod:`~safeload.signing.verify` (an envelope and pinned keys into
a verified artifact), :mod:`~safeload.signing.artifacts` (the sealed values handed on),
:mod:`~safeload.signing.digests` (which digest is checked) and
:mod:`~safeload.signing.versions` (the library versions recorded and compared). The names below
are imported from them on first use: the keys live in this package too, and the CLI's parser
(which ``safeload scan`` builds) reads their algorithms without importing the signing stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below, for type checkers; at run time see __getattr__
    from safeload.signing.artifacts import (
        UnsignedArtifact,
        VerifiedArtifact,
        unsigned_artifact,
    )
    from safeload.signing.artifacts import VerifiedFolder as VerifiedFolder
    from safeload.signing.digests import checked_algorithm as checked_algorithm
    from safeload.signing.sign import add_signature, sign_bytes
    from safeload.signing.sign import sign_folder as sign_folder
    from safeload.signing.verify import verify_bytes, verify_digest
    from safeload.signing.verify import verify_folder as verify_folder
    from safeload.signing.versions import (
        InconsistentVersionWarning,
        VersionMismatchWarning,
        environment,
        signer_environment,
    )

__all__ = [
    "InconsistentVersionWarning",
    "VersionMismatchWarning",
    "UnsignedArtifact",
    "VerifiedArtifact",
    "add_signature",
    "environment",
    "sign_bytes",
    "signer_environment",
    "unsigned_artifact",
    "verify_bytes",
    "verify_digest",
]

#: Where each name lives (``__all__`` and the names the rest of safeload imports from here).
_LAZY = {
    "UnsignedArtifact": "safeload.signing.artifacts",
    "VerifiedArtifact": "safeload.signing.artifacts",
    "VerifiedFolder": "safeload.signing.artifacts",
    "unsigned_artifact": "safeload.signing.artifacts",
    "checked_algorithm": "safeload.signing.digests",
    "add_signature": "safeload.signing.sign",
    "sign_bytes": "safeload.signing.sign",
    "sign_folder": "safeload.signing.sign",
    "verify_bytes": "safeload.signing.verify",
    "verify_digest": "safeload.signing.verify",
    "verify_folder": "safeload.signing.verify",
    "InconsistentVersionWarning": "safeload.signing.versions",
    "VersionMismatchWarning": "safeload.signing.versions",
    "environment": "safeload.signing.versions",
    "signer_environment": "safeload.signing.versions",
}


def __getattr__(name: str) -> Any:
    import importlib

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
