"""The files a command works on: a folder standing for the model files under it, and
``--ignore-paths`` made relative to the model."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from safeload.exceptions import UsageError

_MODEL_SUFFIXES = (".pkl", ".pickle", ".joblib", ".skops")


def _tree(top: Path) -> list[Path]:
    """Everything under ``top``, as ``rglob("*")`` but without recursion (3.11's recurses once
    per level: a deep chain of folders raised RecursionError, rt17 f05b); symlinked folders are
    not followed."""
    found: list[Path] = []
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            found.append(entry)
            if entry.is_dir() and not entry.is_symlink():
                stack.append(entry)
    return found


def expand(paths: Sequence[str]) -> list[str]:
    """Files as given; a directory stands for every model file under it (signed or not)."""
    files: list[str] = []
    for entry in paths:
        p = Path(entry)
        real = Path(os.path.realpath(p))  # current -> v2 is the signed folder v2
        if p.is_dir() and (
            any(
                d.name and d.with_name(d.name + ".sig").is_file()
                for d in (Path(os.path.abspath(p)), real)
            )
            or ((p / "model.sig").is_file() and not (p / "model").exists())
        ):
            files.append(entry)  # a signed folder (DIR.sig or model_signing's DIR/model.sig)
        elif p.is_dir():
            files += model_files(p)
        else:
            files.append(entry)
    return files


def model_files(folder: Path) -> list[str]:
    """Every model file under ``folder`` (recursively, symlinked folders not followed): a model
    extension, a joblib compressor's (``model.joblib.gz``), or a file with its own ``.sig``."""
    return sorted(
        str(f)
        for f in _tree(folder)
        if f.is_file()
        and not f.name.endswith(".sig")
        and (
            f.name.lower().endswith(_MODEL_SUFFIXES)
            or ".joblib." in f.name.lower()
            or Path(str(f) + ".sig").exists()
        )
    )


def model_relative(model: str, paths: Sequence[str]) -> list[str]:
    """``--ignore-paths`` as model_signing reads them (relative to the working directory, or
    absolute), made relative to the model folder; a path outside it is a usage error."""
    root = Path(model).resolve()
    rel = []
    for p in paths:
        try:
            rel.append(Path(p).resolve().relative_to(root).as_posix())
        except ValueError:
            raise UsageError(f"--ignore-paths {p} is not inside the model {model}") from None
    return rel
