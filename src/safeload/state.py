"""Rollback protection: remember the highest version accepted for each model name.

An attacker who can serve files can serve last year's model with its still-valid signature.
With a :class:`TrustState`, a verified artifact whose signed ``name`` was already accepted at a
higher ``version`` is refused. Versions are PEP 440 versions (``"3"``, ``"1.4.0"``,
``"2.0.0rc1"``), ordered as pip orders them, so that "higher" is unambiguous; signing refuses any
other version text, so that the refusal comes when the file is signed, not at deploy time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from safeload.exceptions import SignatureError
from safeload.io.atomic import locked_folder, write_atomic
from safeload.sidecar import Statement

if TYPE_CHECKING:  # packaging is imported when a version is parsed, not by import safeload
    from packaging.version import Version

__all__ = ["TrustState", "parse_version"]


def parse_version(text: str) -> Version:
    """A signed model version as a PEP 440 :class:`~packaging.version.Version`
    (``"1.4.0"``, ``"2.0.0rc1"``, ``"2026.11.30"``); raises ``ValueError`` for anything else.

    PEP 440 orders pre-releases, post-releases and dev releases unambiguously (``2.0.0rc1 <
    2.0.0 < 2.0.0.post1``) and ``1.4 == 1.4.0``, so "older than" means the same here as to pip."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion as exc:
        raise ValueError(
            f"version {text!r} is not a PEP 440 version (like 1.4.0, 2.0.0rc1 or 2026.11.30), "
            "so it cannot be ordered for rollback protection"
        ) from exc


class TrustState:
    """A small JSON file: ``{"models": {name: highest accepted version}}``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def _read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            models = doc["models"]
            if not isinstance(models, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in models.items()
            ):
                raise ValueError("models must map names to versions")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SignatureError(
                f"trust state {self.path} is unreadable ({exc}); refusing to load without "
                "rollback protection. Restore it from backup or remove it deliberately.",
                path=str(self.path),
            ) from exc
        return dict(models)

    def highest(self, name: str) -> str | None:
        """The highest version accepted so far for ``name``."""
        return self._read().get(name)

    def check(self, statement: Statement, source: str) -> None:
        """Raise ``SignatureError`` if ``statement`` would roll ``name`` back."""
        name, version = statement.predicate.name, statement.predicate.version
        if name is None or version is None:
            raise SignatureError(
                f"{source}: rollback protection needs a signed model name and version; sign "
                "with name=... and version=... (CLI: --name, --version)",
                path=source,
            )
        try:
            new = parse_version(version)
        except ValueError as exc:
            raise SignatureError(f"{source}: {exc}", path=source) from exc
        seen = self.highest(name)
        if seen is not None and new < parse_version(seen):
            raise SignatureError(
                f"{source} is {name} version {version}, older than version {seen} already "
                "accepted: a rollback to an old (possibly vulnerable) model was refused.",
                path=source,
            )

    def accept(self, statement: Statement, source: str) -> None:
        """:meth:`check`, then :meth:`record`, under one lock: for a statement that is accepted
        as it is."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with locked_folder(self.path.parent):
            self.check(statement, source)
            self._record(statement)

    def record(self, statement: Statement) -> None:
        """Remember ``statement``'s version if it is the highest seen (atomic write). The
        read-modify-write holds a lock on the state's folder: two processes recording two
        models at once would each write what they read plus their own model, and the other's
        higher version would be lost, reopening its rollback (red team 45's note)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with locked_folder(self.path.parent):
            self._record(statement)

    def _record(self, statement: Statement) -> None:
        name, version = statement.predicate.name, statement.predicate.version
        if name is None or version is None:
            return
        models = self._read()
        if name in models and parse_version(version) <= parse_version(models[name]):
            return
        models[name] = version
        text = json.dumps({"models": models}, indent=2, sort_keys=True) + "\n"
        write_atomic(self.path, text.encode("utf-8"), prefix=".trust-state.")
