"""The exception tree.

Every outcome that matters for security raises a subclass of :class:`SafeloadError`, so a caller
can catch one class and know that nothing was deserialized. Each error names the file it is about
(``path``) when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ArtifactNotFoundError",
    "InsufficientSignaturesError",
    "InvalidSignatureError",
    "KeyFormatError",
    "LimitExceededError",
    "MalformedArtifactError",
    "MissingSignatureError",
    "RetiredKeyError",
    "SafeloadError",
    "SidecarFormatError",
    "SignatureError",
    "UnsafeStateError",
    "UntrustedTypeError",
    "UsageError",
]


class SafeloadError(Exception):
    """Root of every error safeload raises on purpose.

    ``path`` is the artifact (or sidecar, or key file) the error is about, or ``None`` for
    in-memory data.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class SignatureError(SafeloadError):
    """The artifact could not be verified against the trusted keys.

    Wrong key, flipped byte, truncated or appended data, a sidecar from another file and a bad
    signature all raise this with the same message, so an attacker learns nothing about which
    check failed.
    """


class InvalidSignatureError(SignatureError):
    """No valid signature over these exact bytes from a trusted key: the file or its sidecar
    was changed, belongs to another file, or was signed by a key that is not in the keyring.

    The one opaque verification failure: every byte-level cause raises it with the same
    message."""


class InsufficientSignaturesError(SignatureError):
    """The file is exactly what was signed, with valid signatures from trusted keys, but fewer
    distinct ones than the keyring's threshold: approvals are missing. ``have`` and ``need``
    count distinct trusted keys."""

    def __init__(self, message: str, *, have: int, need: int, path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.have = have
        self.need = need


class RetiredKeyError(SignatureError):
    """The file is exactly what was signed, but by a key the keyring no longer trusts: one it
    revokes, or one past its ``not_after``. ``keyids`` lists those keys."""

    def __init__(self, message: str, *, keyids: Sequence[str], path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.keyids: tuple[str, ...] = tuple(keyids)


class MissingSignatureError(SignatureError):
    """The artifact has no sidecar. There is no switch that loads it anyway."""


class SidecarFormatError(SignatureError):
    """The sidecar is not a well-formed safeload DSSE envelope / in-toto statement."""


class KeyFormatError(SafeloadError):
    """A key file or secret is unusable: wrong format, wrong type, too short, bad password."""


class UntrustedTypeError(SafeloadError):
    """The stream would build one or more types the policy does not trust.

    ``names`` lists every untrusted global found, not only the first.
    """

    def __init__(self, message: str, *, names: Sequence[str], path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.names: tuple[str, ...] = tuple(names)


class MalformedArtifactError(SafeloadError):
    """The artifact is truncated, malformed, or uses a construct safeload refuses."""


class LimitExceededError(MalformedArtifactError):
    """A resource limit (size, decompressed size, nesting depth, ...) was exceeded."""


class UnsafeStateError(MalformedArtifactError):
    """Every type in the file is allowed, but the state it gives them would make the loaded
    model do something honest state never does when it is used: look up a method by a name the
    file chose, call a stored object that is not a pure function, hide a method behind a value,
    write to a path, import a module. The message names the object's path inside the model and
    the attribute."""


class ArtifactNotFoundError(SafeloadError, FileNotFoundError):
    """The artifact (or the folder, or a signature file that was found a moment before) does
    not exist. Also a ``FileNotFoundError``, so ``except OSError`` catches it too. Nothing was
    read; this is not a verdict about any file's content."""


class UsageError(SafeloadError, ValueError):
    """The call itself is wrong, whatever the file holds: a public key where a signer is needed,
    no keys, a negative limit, an expiry in the past, a second signature from the same key.
    Also a ``ValueError``. The CLI reports it with exit code 2."""
