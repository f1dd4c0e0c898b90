"""The files a command works on: a folder standing for the model files under it, and
``--ignore-paths`` made relative to the model."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from safeload.exceptions import UsageError

_MODEL_SUFFIXES = (".pkl", ".pickle", ".joblib", ".skops")


def _tree(top: Path, unreadable: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Everything under ``top``, as ``rglob("*")`` but without recursion (3.11's recurses once
    per level: a deep chain of folders raised RecursionError, rt17 f05b); symlinked folders are
    not followed. A folder or entry that cannot be listed or looked at (a path longer than the
    system allows, rt26b-12) goes to ``unreadable`` with the reason, and the walk goes on."""
    found: list[Path] = []
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = list(folder.iterdir())
        except OSError as exc:
            if unreadable is not None and folder != top:
                unreadable.append((folder, exc.strerror or type(exc).__name__))
            continue
        for entry in entries:
            found.append(entry)
            try:
                if entry.is_dir() and not entry.is_symlink():
                    stack.append(entry)
            except OSError as exc:
                if unreadable is not None:
                    unreadable.append((entry, exc.strerror or type(exc).__name__))
    return found


def _signed_folder(p: Path, real: Path | None = None) -> bool:
    """Whether ``p`` is a signed folder: ``DIR.sig`` beside it (also for the folder a link
    names), or model_signing's ``DIR/model.sig``. ``real``: ``p`` with its links resolved,
    when the caller knows it (``realpath`` of each folder of a deep chain is quadratic in
    its depth, so a walk of the chain was cubic)."""
    if not p.is_dir():
        return False
    if real is None:
        real = Path(os.path.realpath(p))  # current -> v2 is the signed folder v2
    return any(
        d.name and d.with_name(d.name + ".sig").is_file() for d in (Path(os.path.abspath(p)), real)
    ) or ((p / "model.sig").is_file() and not (p / "model").exists())


def expand(paths: Sequence[str]) -> list[str]:
    """Files as given; a directory stands for every model file under it (signed or not), and
    each signed folder under it for itself: verified once, as a folder, whatever its files are
    named (rt26b-06, rt26b-13). A symbolic link out of it is kept, so that verification
    reports it rather than passing over it."""
    files: list[str] = []
    for entry in paths:
        p = Path(entry)
        if _signed_folder(p):
            files.append(entry)
        elif p.is_dir():
            files += _folder_artifacts(p)
        else:
            files.append(entry)
    return files


def _folder_artifacts(folder: Path) -> list[str]:
    """What :func:`expand` makes of an unsigned folder."""
    tree = _tree(folder)
    signed: list[Path] = []
    real_top = Path(os.path.realpath(folder))  # the walk follows no link below the top
    for d in sorted(tree):
        if d.is_symlink() or not _signed_folder(d, real_top / d.relative_to(folder)):
            continue
        if not any(s in d.parents for s in signed):
            signed.append(d)
    listing = list_folder(folder, tree)
    loose = [f for f in listing.files if not any(s in Path(f).parents for s in signed)]
    return sorted([str(s) for s in signed] + loose + listing.links_out)


#: How much of a file without a model name is read to tell (formats.binary_model_head).
_HEAD = 8


def _looks_like_model(f: Path) -> bool:
    from safeload.formats import binary_model_head

    try:
        fd = os.open(f, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return True  # scanned, so that the scan reports why it cannot be read
    try:
        head = os.read(fd, _HEAD)
    except OSError:
        return True
    finally:
        os.close(fd)
    return binary_model_head(head)


@dataclass
class Listing:
    """What a folder holds for a scan: the files to scan, the symbolic links that lead out of
    it (not followed: a scan of a folder reads nothing outside it, rt26b-14), and the paths that
    could not be looked at."""

    files: list[str] = field(default_factory=list)
    links_out: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def list_folder(folder: Path, tree: list[Path] | None = None) -> Listing:
    """Every model file under ``folder`` (recursively): a file with a model extension, a joblib
    compressor's (``model.joblib.gz``, ``model.gz``) or its own ``.sig``, or one whose first
    bytes are a model's whatever its name (``finalized_model.sav``, rt26b-05). A symbolic link
    is followed only where it stays inside ``folder`` (its target is listed there). ``tree``:
    the walk of ``folder`` when the caller has it already (:func:`_tree`)."""
    root = os.path.realpath(folder)
    unreadable: list[tuple[Path, str]] = []
    listing = Listing()
    named_links: list[tuple[str, str]] = []  # (link, target) for links with a model's name
    for f in _tree(folder, unreadable) if tree is None else tree:
        try:
            if f.is_symlink():
                target = os.path.realpath(f)
                if os.path.commonpath([root, target]) != root:
                    listing.links_out.append(str(f))
                elif _model_name(f) and os.path.isfile(target):
                    named_links.append((str(f), target))
                elif _model_name(f) and not os.path.isdir(target):
                    # (a link with a model's name to a pipe: what a user loads by that name,
                    # never passed unseen, rt101-05)
                    unreadable.append((f, "a link to what is not a regular file"))
                continue  # a link inside the folder: its target is listed where it is
            if not f.is_file():
                if not f.is_dir() and not stat.S_ISSOCK(os.lstat(f).st_mode):
                    # (a socket no load can open: git's fsmonitor keeps one, rt102-08)
                    # a pipe, socket or device is never passed unseen: with a model's name it
                    # is what a user loads by that name (rt100-04, as rt44-05's links), and
                    # under any other its first bytes cannot be read to tell (rt101-05)
                    unreadable.append((f, "not a regular file"))
                continue
            if f.name.endswith(".sig"):
                continue
            if _model_name(f) or _looks_like_model(f):
                listing.files.append(str(f))
        except OSError as exc:
            unreadable.append((f, exc.strerror or type(exc).__name__))
    # a link with a model's name whose target is not listed (notes.txt, printable text: not
    # a model by its name or first bytes) is what a user loads by that name: listed itself
    # (rt44-05: `model.pkl -> notes.txt` passed scan and verify of the folder unseen)
    listed = {os.path.realpath(f) for f in listing.files}
    for link, target in named_links:
        if target not in listed:
            listing.files.append(link)
            listed.add(target)
    listing.files.sort()
    listing.links_out.sort()
    listing.unreadable = sorted((str(p), why) for p, why in unreadable)
    return listing


def _model_name(f: Path) -> bool:
    """Whether ``f``'s name is a model file's: a model extension, a joblib compressor's, or
    a file with its own ``.sig``."""
    from safeload.formats import JOBLIB_COMPRESSIONS

    lower = f.name.lower()
    return (
        lower.endswith(_MODEL_SUFFIXES)
        or lower.endswith(tuple(JOBLIB_COMPRESSIONS))
        or ".joblib." in lower
        or Path(str(f) + ".sig").exists()
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
