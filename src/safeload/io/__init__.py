"""The io layer: every read of a model file, signature file or folder goes through here.

A model file is read once, through one descriptor, into private memory (:func:`read_once`,
:func:`read_file`): what is verified is then exactly what is deserialized, and nothing outside
the process can change it afterwards. The layers above get bytes, never paths
(tests/test_layers.py). Two reads do not keep the bytes: :func:`hash_stream` (verification
only, which deserializes nothing) and :func:`read_for_scan` (a scan builds nothing).
"""

from __future__ import annotations

import io
import mmap
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safeload import _progress
from safeload.exceptions import (
    ArtifactNotFoundError,
    InvalidSignatureError,
    LimitExceededError,
    MalformedArtifactError,
    SignatureError,
)

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = [
    "HEAD",
    "hash_stream",
    "open_regular",
    "private_buffer",
    "read_file",
    "read_folder",
    "read_for_scan",
    "read_head",
    "read_once",
    "open_sized",
    "walk",
]


#: From this size on, file contents go into anonymous memory advised for huge pages.
HUGE_FROM = 4 << 20
MADV_HUGEPAGE: int | None = getattr(mmap, "MADV_HUGEPAGE", None)
MADV_NOHUGEPAGE: int | None = getattr(mmap, "MADV_NOHUGEPAGE", None)
#: Reading into huge pages ran at about 4 GB/s on the benchmark machine, and into ordinary pages
#: at 2.8 GB/s. A chunk read slower than this means the kernel is compacting memory to find free
#: huge pages, which stalled reads of the 1 GiB benchmark file for up to 2 s (0.26 s without
#: the stall); the rest of the buffer then gets ordinary pages. (A file coming slowly from disk
#: trips it too, where the page size no longer matters.)
SLOW_HUGE_READ = 2e9  # bytes per second


def private_buffer(size: int) -> bytearray | mmap.mmap:
    """Zeroed private memory for ``size`` bytes of file contents.

    Small files get a ``bytearray``. Large ones, where the system supports it, get an anonymous
    private mapping advised for transparent huge pages: filling a fresh ``bytearray`` costs one
    page fault per 4 KiB, which on virtual machines took longer than reading the file (20 ms
    against 4 ms for a 21 MB forest in ``benchmarks/run.py``). The mapping is not backed by the
    file: like a ``bytearray``, nothing outside this process can change it once it is read.
    """
    if size < HUGE_FROM or MADV_HUGEPAGE is None:
        return bytearray(size)
    buf = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    try:
        buf.madvise(MADV_HUGEPAGE)
    except OSError:  # pragma: no cover - kernels without transparent huge pages
        pass
    return buf


def no_huge_pages(buf: mmap.mmap, start: int) -> None:
    """Advise ordinary pages for ``buf`` from ``start`` on (rounded up to a page)."""
    start = -(-start // mmap.PAGESIZE) * mmap.PAGESIZE
    if MADV_NOHUGEPAGE is None or start >= len(buf):  # no such advice here, or nothing left
        return
    try:
        buf.madvise(MADV_NOHUGEPAGE, start, len(buf) - start)
    except OSError:  # pragma: no cover - kernels without transparent huge pages
        pass


def read_once(
    path: Path, limit: int, what: str = "artifact", *, follow: bool = True
) -> bytearray | mmap.mmap:
    """Read a whole regular file through one descriptor, refusing anything over ``limit``.

    The result is private memory (see :func:`private_buffer`): verified once, then owned by
    the reader, whose arrays may be views into it (one copy of the data in memory, not two)."""
    return read_file(path, limit, what, follow=follow)[0]


#: How many first bytes tell whether a file could be a model (see formats.could_be_model).
HEAD = 16


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of the regular file ``path`` (fewer if it is shorter), with the
    same open checks as :func:`read_file`."""
    fd = open_regular(path, "artifact", follow=True)
    with os.fdopen(fd, "rb", buffering=0) as fh:
        return fh.read(size) or b""


#: Chunk size when hashing while reading: large enough that hashlib releases the GIL.
HASH_CHUNK = 16 << 20


def open_regular(path: Path, what: str, *, follow: bool) -> int:
    """A read-only descriptor of ``path``, which must be a regular file."""
    try:
        # O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer; the type is checked
        # on the descriptor right after, and for a regular file the flag changes nothing (rt17 f05)
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
        if not follow:
            flags |= getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise ArtifactNotFoundError(
            f"{what} {path} does not exist; check the path", path=str(path)
        ) from exc
    except OSError as exc:
        raise MalformedArtifactError(
            f"cannot open {what} {path}: {exc.strerror}", path=str(path)
        ) from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise MalformedArtifactError(f"{what} {path} is not a regular file", path=str(path))
    return fd


def read_file(
    path: Path,
    limit: int,
    what: str = "artifact",
    *,
    follow: bool = True,
    hash_from: int | None = None,
    algorithm: str = "sha256",
) -> tuple[bytearray | mmap.mmap, tuple[str, Future[str]] | None]:
    """:func:`read_once`, and for files of at least ``hash_from`` bytes also ``(algorithm,
    digest)``: the hash (``sha256`` or ``blake3``) of exactly the bytes read into the buffer,
    computed in one other thread chunk by chunk as they arrive, so that hashing overlaps the
    read and leaves the other core to the static pass. The digest is of the buffer, never of
    the file."""
    fd = open_regular(path, what, follow=follow)
    st = os.fstat(fd)
    with os.fdopen(fd, "rb", buffering=0) as fh:
        if st.st_size > limit:
            raise LimitExceededError(
                f"{what} {path} is {st.st_size} bytes, over the limit of {limit}", path=str(path)
            )
        data = private_buffer(st.st_size)
        view = memoryview(data)
        report = _progress.current(st.st_size)
        hashing = hash_from is not None and st.st_size >= hash_from
        step = st.st_size
        if report is not None:
            step = _progress.CHUNK
        if hashing:
            step = HASH_CHUNK
        # huge pages are read chunk by chunk, timed (see SLOW_HUGE_READ)
        huge = data if isinstance(data, mmap.mmap) and MADV_HUGEPAGE is not None else None
        if huge is not None:
            step = min(step, HASH_CHUNK)
        if algorithm == "blake3" and _progress.blake3_module() is None:
            algorithm = "sha256"
        hasher: Any = _progress.new_hasher(algorithm, all_cores=False) if hashing else None
        worker = None
        if hashing:  # concurrent.futures only where a digest is wanted (not for a scan)
            from concurrent.futures import ThreadPoolExecutor

            worker = ThreadPoolExecutor(max_workers=1)
        try:
            got = 0
            while got < st.st_size:
                started = time.perf_counter()
                n = fh.readinto(view[got : got + step])
                if not n:
                    break
                if huge is not None and time.perf_counter() - started > n / SLOW_HUGE_READ:
                    no_huge_pages(huge, got + n)
                    huge = None
                if worker is not None:  # one worker: chunks are hashed in order
                    worker.submit(hasher.update, view[got : got + n])
                got += n
                if report is not None:
                    report(f"reading {path.name}", got, st.st_size)
            digest = (algorithm, worker.submit(hasher.hexdigest)) if worker is not None else None
        finally:
            if worker is not None:
                worker.shutdown(wait=False)
        if got != st.st_size or fh.read(1):
            raise MalformedArtifactError(
                f"{what} {path} changed size while it was read; try again", path=str(path)
            )
    return data, digest


#: The buffer a streamed hash reads into, reused chunk after chunk.
STREAM_CHUNK = 8 << 20


def open_sized(path: Path, limit: int) -> tuple[io.FileIO, int]:
    """The regular file ``path`` opened unbuffered for reading, and its size, refused over
    ``limit`` (the caller closes it)."""
    fh = os.fdopen(open_regular(path, "artifact", follow=True), "rb", buffering=0)
    size = os.fstat(fh.fileno()).st_size
    if size > limit:
        fh.close()
        raise LimitExceededError(
            f"artifact {path} is {size} bytes, over the limit of {limit}", path=str(path)
        )
    return fh, size


def hash_stream(fh: io.FileIO, path: Path, size: int, algorithm: str) -> str:
    """The hex digest of the ``size`` bytes of the open file ``fh``, hashed with ``algorithm``
    as they are read through one reused buffer of :data:`STREAM_CHUNK` bytes: memory stays
    bounded whatever the file's size. For verification only; a load reads into private memory
    and hashes that (:func:`read_file`)."""
    hasher = _progress.new_hasher(algorithm)
    report = _progress.current(size)
    step = min(STREAM_CHUNK, _progress.CHUNK) if report is not None else STREAM_CHUNK
    buf = bytearray(min(step, max(size, 1)))
    view = memoryview(buf)
    got = 0
    while got < size:
        n = fh.readinto(view[: min(len(buf), size - got)])
        if not n:
            break
        hasher.update(view[:n])
        got += n
        if report is not None:
            report(f"hashing {path.name}", got, size)
    if got != size or fh.read(1):
        raise MalformedArtifactError(
            f"artifact {path} changed size while it was read; try again", path=str(path)
        )
    return str(hasher.hexdigest())


#: Files at least this large are mapped for a scan rather than read (see read_for_scan).
MAP_FROM = 256 << 20


def read_for_scan(path: Path, limit: int) -> bytearray | mmap.mmap:
    """The bytes a scan analyses. A file of :data:`MAP_FROM` bytes or more is mapped read-only
    instead of copied: the static pass touches opcodes and the few values it checks, not the
    megabytes of array data between them, so a file larger than memory scans in a few MiB.
    A scan builds nothing from the bytes (a load always reads into private memory, so that
    what was verified is what is built). The price: a file truncated by someone else while it
    is being scanned makes the scanning process fail with SIGBUS, as any program reading a
    mapped file would."""
    if path.stat().st_size < MAP_FROM:  # only picks how to read; the open below checks
        return read_once(path, limit)
    fd = open_regular(path, "artifact", follow=True)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise LimitExceededError(
                f"artifact {path} is {size} bytes, over the limit of {limit}", path=str(path)
            )
        mapped = mmap.mmap(fd, size, access=mmap.ACCESS_READ)
        if hasattr(mapped, "madvise") and hasattr(mmap, "MADV_SEQUENTIAL"):
            mapped.madvise(mmap.MADV_SEQUENTIAL)
        return mapped
    finally:
        os.close(fd)


def read_folder(
    path: Path,
    limit: int,
    *,
    allow_symlinks: bool,
    skip: Callable[[str], bool] | None = None,
    sizes: Mapping[str, int] | None = None,
) -> dict[str, bytearray | mmap.mmap]:
    """Every file under ``path`` (relative POSIX path -> bytes), each read once, ``limit``
    bytes in all at most.

    ``sizes`` (what the folder's signature claims, not yet verified): a file of at least
    ``PRECHECK_FROM`` bytes that it does not list, or lists with another size, fails
    verification before it is read (an added 1 GiB sparse file cost 1 GiB, rt26b-04); smaller
    ones are read, and verification names every difference.

    A symlink anywhere in the folder fails verification unless ``allow_symlinks``. Paths for
    which ``skip`` is true (relative POSIX paths of files and folders; a folder skipped skips
    everything under it) are neither read nor listed.
    """
    files: dict[str, bytearray | mmap.mmap] = {}
    total = 0
    for root, dirs, names in walk(path, follow=allow_symlinks):
        if skip is not None:
            here = Path(root).relative_to(path).as_posix()
            prefix = "" if here == "." else here + "/"
            dirs[:] = [d for d in dirs if not skip(prefix + d)]
            names = [n for n in names if not skip(prefix + n)]
        for entry in [*dirs, *names]:
            full = Path(root) / entry
            if full.is_symlink() and not allow_symlinks:
                raise SignatureError(
                    f"folder {path} contains a symlink ({full.relative_to(path).as_posix()}); "
                    "signed folders must not, unless you pass allow_symlinks=True",
                    path=str(path),
                )
        for name in sorted(names):
            full = Path(root) / name
            rel = full.relative_to(path).as_posix()
            if sizes is not None:
                _precheck_size(path, full, rel, sizes)
            files[rel] = read_once(full, limit, follow=allow_symlinks)
            total += len(files[rel])
            if total > limit:
                raise LimitExceededError(
                    f"folder {path} is larger than the file size limit", path=str(path)
                )
    return files


#: From this size on, a folder file that its signature does not list (or lists with another
#: size) is refused without being read (see read_folder).
PRECHECK_FROM = 1 << 20


def _precheck_size(folder: Path, full: Path, rel: str, sizes: Mapping[str, int]) -> None:
    try:
        size = full.stat().st_size
    except OSError:
        return  # read_once reports it
    if size >= PRECHECK_FROM and sizes.get(rel) != size:
        what = "is not listed by" if rel not in sizes else "has another size than in"
        raise InvalidSignatureError(
            f"folder {folder}: {rel} ({size} bytes) {what} the folder's signature; it was not "
            "read. Nothing was deserialized.",
            path=str(folder),
        )


def walk(top: Path, *, follow: bool) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk`` top-down, without recursion: Python 3.11's ``os.walk`` recurses once per
    level, so a chain of ~1000 nested folders raised ``RecursionError`` (rt17 f05b). The caller
    may prune ``dirs`` in place, as with ``os.walk``. A folder that cannot be listed fails
    rather than being skipped (``os.walk`` ignores such errors)."""
    stack = [str(top)]
    while stack:
        root = stack.pop()
        dirs: list[str] = []
        names: list[str] = []
        try:
            with os.scandir(root) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()  # follows symlinks, as os.walk does
                    except OSError:
                        is_dir = False
                    (dirs if is_dir else names).append(entry.name)
        except OSError as exc:
            raise MalformedArtifactError(
                f"cannot list folder {root}: {exc.strerror}", path=str(top)
            ) from exc
        yield root, dirs, names
        for d in reversed(dirs):
            full = os.path.join(root, d)
            if follow or not os.path.islink(full):
                stack.append(full)
