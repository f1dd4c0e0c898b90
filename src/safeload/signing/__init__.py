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

#: The module of each name (``__all__`` and the names the rest of safeload imports from here).
_MODULES = {
    "artifacts": "UnsignedArtifact VerifiedArtifact VerifiedFolder unsigned_artifact",
    "digests": "checked_algorithm",
    "sign": "add_signature sign_bytes sign_folder",
    "verify": "verify_bytes verify_digest verify_folder",
    "versions": "InconsistentVersionWarning VersionMismatchWarning environment signer_environment",
}
_LAZY = {
    name: f"{__name__}.{module}" for module, names in _MODULES.items() for name in names.split()
}


def __getattr__(name: str) -> Any:
    from safeload._lazy import resolve

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return resolve(globals(), module, name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
