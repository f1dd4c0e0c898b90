"""Sign bytes into an envelope; verify bytes against an envelope and pinned keys.

:func:`verify_bytes` is the only code that can construct a :class:`VerifiedArtifact`, and the
format readers accept nothing else (except an explicitly named :class:`UnsignedArtifact`), so
deserializing unverified bytes is a type error rather than a code-review catch.

The work is done in sub-modules, one responsibility each: :mod:`~safeload.signing.sign` (bytes
or a folder into an envelope), :mod:`~safeload.signing.verify` (an envelope and pinned keys into
a verified artifact), :mod:`~safeload.signing.artifacts` (the sealed values handed on),
:mod:`~safeload.signing.digests` (which digest is checked) and
:mod:`~safeload.signing.versions` (the library versions recorded and compared).
"""

from __future__ import annotations

from safeload.signing.artifacts import (
    UnsignedArtifact,
    VerifiedArtifact,
    unsigned_artifact,
)
from safeload.signing.artifacts import (
    VerifiedFolder as VerifiedFolder,
)
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
