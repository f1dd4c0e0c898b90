"""The sealed values a verification hands on: :class:`VerifiedArtifact` and :class:`VerifiedFolder`
(made only by :mod:`safeload.signing.verify` and :mod:`safeload.signing.modelsig`), and the
explicitly named :class:`UnsignedArtifact`. The format readers accept nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, NoReturn, SupportsIndex

from safeload._types import Buffer
from safeload.sidecar import FORMATS, Predicate, Statement

__all__ = ["UnsignedArtifact", "VerifiedArtifact", "VerifiedFolder", "unsigned_artifact"]

_TOKEN = object()


class _Sealed:
    """Base for values only the verifiers may construct: a private token must be passed.

    Not dataclasses: ``dataclasses.replace`` (and ``copy.replace``) would carry the token over
    into a value holding other bytes. Attributes are set once, by :meth:`_seal`; setting,
    deleting, copying and pickling are refused.
    """

    __slots__ = ()
    #: the function that alone constructs this type, named in the error
    _MAKER: ClassVar[str] = "this module"

    def _seal(self, token: object, **values: object) -> None:
        if token is not _TOKEN:
            raise TypeError(f"{type(self).__name__} is created only by {self._MAKER}")
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be copied or pickled")

    def __repr__(self) -> str:
        names: tuple[str, ...] = getattr(type(self), "__slots__", ())
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names if n not in ("data", "files"))
        return f"{type(self).__name__}({shown})"


class VerifiedArtifact(_Sealed):
    """Bytes whose signature has been checked, with the statement that covers them.

    Only :func:`verify_bytes` can create one. ``data`` is the very buffer that was hashed.
    ``safeload.formats.read(..., consume=True)`` takes the buffer over (its arrays become views
    into it, and a pickle buffer is rearranged); without ``consume`` it is left as it is.
    """

    __slots__ = ("data", "keyids", "name", "statement")
    _MAKER = "safeload.signing.verify_bytes"
    data: Buffer
    name: str
    statement: Statement
    keyids: tuple[str, ...]

    def __init__(
        self,
        data: Buffer,
        name: str,
        statement: Statement,
        keyids: tuple[str, ...],
        _token: object = None,
    ) -> None:
        self._seal(_token, data=data, name=name, statement=statement, keyids=keyids)

    @property
    def format(self) -> str:
        """The signed format: ``pickle``, ``joblib`` or ``skops``."""
        return self.statement.predicate.format


class UnsignedArtifact(_Sealed):
    """Bytes that were deliberately loaded without a signature check (``load_unsigned``)."""

    __slots__ = ("data", "format", "name")
    _MAKER = "unsigned_artifact()"
    data: Buffer
    name: str
    format: str

    def __init__(self, data: Buffer, name: str, format: str, _token: object = None) -> None:
        self._seal(_token, data=data, name=name, format=format)


def unsigned_artifact(data: Buffer, name: str, format: str) -> UnsignedArtifact:
    """Wrap bytes that the caller chose to read without verification."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}")
    return UnsignedArtifact(data, name, format, _TOKEN)


class VerifiedFolder(_Sealed):
    """Every file of a folder, read once and checked against the folder's signed manifest.

    Only :func:`verify_folder` can create one.
    """

    __slots__ = ("files", "keyids", "statement")
    _MAKER = "safeload.signing.verify_folder"
    files: Mapping[str, Buffer]
    statement: Statement
    keyids: tuple[str, ...]

    def __init__(
        self,
        files: Mapping[str, Buffer],
        statement: Statement,
        keyids: tuple[str, ...],
        _token: object = None,
    ) -> None:
        self._seal(_token, files=files, statement=statement, keyids=keyids)

    def artifact(self, relpath: str, format: str) -> VerifiedArtifact:
        """One verified member, ready for a reader."""
        data = self.files[relpath]
        subject = next(x for x in self.statement.subjects if x.name == relpath)
        single = Statement(
            (subject,),
            Predicate(
                format=format,
                size=len(data),
                created=self.statement.predicate.created,
                expires=self.statement.predicate.expires,
                version=self.statement.predicate.version,
                name=self.statement.predicate.name,
                environment=self.statement.predicate.environment,
            ),
        )
        return VerifiedArtifact(data, relpath, single, self.keyids, _TOKEN)
