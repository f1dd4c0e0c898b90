"""Child processes for the harm demonstrations, forked from one interpreter that has already
imported the heavy modules (a "zygote"), instead of a fresh ``python -c`` each time.

A security reproducer runs its payload in a child so that a crash, a hang or a blow-up of
memory harms only the child. A fresh interpreter spends seconds of CPU importing numpy,
scipy and scikit-learn before milliseconds of work; a fork of an interpreter that has
imported them costs milliseconds. The child is still a separate process with the same
observable contract as ``subprocess.run([sys.executable, "-c", code, *args])``: its own
return code (negative for a signal), its own stdout and stderr, its own limits.

Design:

* The zygote is its own process, started from a clean interpreter (``python -c``, never a
  fork of pytest, which has threads and a test's monkeypatches) by the first call in each
  pytest process (one per xdist worker), with the environment that process had when this
  module was imported. It imports :data:`PRELOAD`, then serves one request at a time over a
  Unix socket pair. It never runs test code, so every child starts from the same state.
* A request carries the code, ``sys.argv``, the folder, the environment and whether
  faulthandler is on (JSON, length-prefixed), and (SCM_RIGHTS) the write ends of the two
  pipes the client reads the child's stdout and stderr from.
* The zygote forks. The child leads a new session (so a kill reaches its own children too),
  takes the pipes as fds 1 and 2 and /dev/null as 0, changes folder, environment and argv,
  gets a fresh ``__main__``, runs the code as ``python -c`` would (``SystemExit`` codes, an
  uncaught exception's traceback and exit code 1, non-daemon threads joined, atexit handlers
  run, streams flushed) and leaves by ``os._exit``.
* The zygote sends the child's pid, then waits (select on a pidfd and the socket) and sends
  the child's wait status. Only the zygote kills (SIGKILL to the child's process group, when
  the client asks or its connection closes) and only before it has reaped the child, so a
  reused pid can never be hit. The client reads the pipes to EOF and the status, or until
  its deadline, then asks for the kill: return code ``None``, the output so far.
* A fresh interpreter (subprocess in its own session, same reading and killing) when the
  caller asks (``fresh=True``), when the environment differs from the zygote's (other than
  ``PYTEST_CURRENT_TEST``), or when another thread's child is using the zygote.

What differs from a fresh interpreter: :data:`PRELOAD` is already imported (its import-time
warnings went to the zygote's log, not the child's stderr), the children of one zygote share
its string-hash seed and its address-space layout, and the heap holds what the imports left
(so a read past an array finds other data where a fresh process may fault, and the room left
under an address-space limit differs a little): a harm that depends on a fresh interpreter's
heap asks for ``fresh=True``. numpy's global random state is reseeded in each child, as
:mod:`random` reseeds itself after a fork. ``getrusage`` and RLIMIT_CPU count from the fork
(the zygote's import time is not the child's). Linux only (pidfds, SCM_RIGHTS).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: Imported by the zygote before it serves: what the children's programs and payloads import.
PRELOAD = (
    "pickle",
    "numpy",
    "scipy",
    "scipy.sparse",
    "scipy.special",
    "scipy.linalg",
    "scipy.optimize",
    "scipy.stats",
    "joblib",
    "sklearn",
    "sklearn.metrics",
    "sklearn.model_selection",
    "sklearn.pipeline",
    "skops.io",
    "safeload",
    "safeload.api",
    "safeload._scanning",
    "safeload._unsigned",
    "safeload._loading",
    "safeload.pickle.walker",
    "safeload.pickle.unpickler",
    "safeload.pickle.joblib_stream",
    "safeload.trust.static",
    "safeload.trust.shadow",
    "safeload.trust.usetime",
    "safeload.trust.structures.trees",
    "safeload.validate",
    "safeload.sidecar",
)

#: Environment variables a child may have different from the zygote's.
_VOLATILE_ENV = frozenset({"PYTEST_CURRENT_TEST"})

#: The environment the zygote starts with: this process's, before any test changed it.
_START_ENV = dict(os.environ)

_HEADER = struct.Struct("<I")


# --- messages: a 4-byte length and JSON, file descriptors with the length -----------------


def _send(sock: socket.socket, message: Mapping[str, Any], fds: Sequence[int] = ()) -> None:
    body = json.dumps(message).encode()
    header = _HEADER.pack(len(body))
    if fds:
        socket.send_fds(sock, [header], list(fds))
        sock.sendall(body)
    else:
        sock.sendall(header + body)


def _recv_exact(sock: socket.socket, size: int, start: bytes = b"") -> bytes:
    data = bytearray(start)
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError("zygote connection closed")
        data += chunk
    return bytes(data)


def _recv(sock: socket.socket, fds: int = 0) -> tuple[dict[str, Any], list[int]]:
    got: list[int] = []
    if fds:
        head, got, _, _ = socket.recv_fds(sock, _HEADER.size, fds)
        if not head:
            raise EOFError("zygote connection closed")
    else:
        head = b""
    head = _recv_exact(sock, _HEADER.size, head)
    (size,) = _HEADER.unpack(head)
    return json.loads(_recv_exact(sock, size)), got


# --- the zygote ---------------------------------------------------------------------------------


def serve(fd: int) -> None:
    """The zygote's main loop (run by ``python -c``, see :class:`_Zygote`)."""
    import importlib

    sock = socket.socket(fileno=fd)
    for module in PRELOAD:
        try:
            importlib.import_module(module)
        except ImportError:  # an optional package this environment lacks
            pass
    sys.stdout.flush()
    sys.stderr.flush()
    _send(sock, {"ready": os.getpid()})
    while True:
        try:
            request, fds = _recv(sock, fds=2)
        except EOFError:
            return
        if "kill" in request:  # asked for after the child ended, before its status came
            continue
        pid = os.fork()
        if pid == 0:
            _child(sock, fds, request)  # never returns
        for fd_ in fds:
            os.close(fd_)
        _send(sock, {"pid": pid})
        if not _wait(sock, pid):
            return


def _wait(sock: socket.socket, pid: int) -> bool:
    """Wait for the child ``pid``, killing its group when the client asks; send its status.
    ``False`` when the client has gone (the child killed)."""
    pidfd = os.pidfd_open(pid)
    connected = True
    try:
        while True:
            ready, _, _ = select.select([pidfd, sock] if connected else [pidfd], [], [])
            if pidfd in ready:
                break
            try:
                _recv(sock)  # the only message: kill
            except (EOFError, OSError):
                connected = False
            _kill_group(pid)
    finally:
        os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    if connected:
        _send(sock, {"status": status})
    return connected


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _child(sock: socket.socket, fds: list[int], request: dict[str, Any]) -> None:
    """In the forked child: set up as ``python -c`` would, run the code, ``os._exit``."""
    status = 1
    try:
        os.setsid()
        sock.close()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in (null, *fds):
            os.close(fd)
        status = _run_code(request)
    finally:
        os._exit(status)


def _run_code(request: dict[str, Any]) -> int:
    import atexit
    import builtins
    import faulthandler
    import traceback
    import types

    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = list(request["argv"])
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins  # type: ignore[attr-defined]
    sys.modules["__main__"] = main
    if request["faulthandler"]:
        faulthandler.enable()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    status = 0
    try:
        exec(compile(request["code"], "<string>", "exec"), main.__dict__)  # noqa: S102
    except SystemExit as exc:
        status = _exit_status(exc)
    except BaseException as exc:
        traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)
        status = 1
    try:
        threading._shutdown()  # type: ignore[attr-defined]  # join non-daemon threads
        atexit._run_exitfuncs()
    except SystemExit as exc:
        status = _exit_status(exc)
    except BaseException:
        traceback.print_exc()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            status = status or 120  # as Python, when flushing at exit fails
    return status


def _exit_status(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    print(exc.code, file=sys.stderr)
    return 1


# --- the client -------------------------------------------------------------------------------


class _Zygote:
    """The zygote process of this pytest process, and the client end of its socket."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="safeload-zygote-")
        self.log = Path(self.folder, "zygote.log")
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        tests = str(Path(__file__).resolve().parent)
        boot = (
            f"import sys; sys.path.insert(0, {tests!r}); import zygote; "
            f"sys.path.remove({tests!r}); zygote.serve(int(sys.argv[1]))"
        )
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", boot, str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                env=_START_ENV,
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        theirs.close()
        self.sock = mine
        self.lock = threading.Lock()
        try:
            ready = select.select([mine], [], [], 600)[0]
            if not ready:
                raise EOFError("no answer in 600 s")
            _recv(mine)
        except (EOFError, OSError) as exc:
            self.close()
            raise RuntimeError(f"the zygote did not start ({exc}): {self.log.read_text()}") from exc

    def close(self) -> None:
        self.sock.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for name in os.listdir(self.folder):
            os.unlink(os.path.join(self.folder, name))
        os.rmdir(self.folder)


_zygote: _Zygote | None = None
_zygote_lock = threading.Lock()


def _get_zygote() -> _Zygote:
    global _zygote
    with _zygote_lock:
        if _zygote is None or _zygote.proc.poll() is not None:
            _zygote = _Zygote()
        return _zygote


def _drop_zygote(zygote: _Zygote) -> None:
    global _zygote
    with _zygote_lock:
        if _zygote is zygote:
            _zygote = None
    zygote.close()


def _close_zygote() -> None:
    if _zygote is not None:
        _zygote.close()


atexit.register(_close_zygote)


class Running:
    """A started child: its output so far, its return code once it ended."""

    def __init__(
        self,
        code: str,
        args: Sequence[str],
        *,
        cwd: str | Path | None,
        faulthandler: bool,
        fresh: bool,
        env: Mapping[str, str] | None,
    ) -> None:
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.returncode: int | None = None
        self._zygote: _Zygote | None = None
        self._popen: subprocess.Popen[bytes] | None = None
        self._status_fd: int | None = None
        cwd = os.fspath(cwd) if cwd is not None else os.getcwd()
        env = dict(os.environ if env is None else env)
        zygote = None if fresh or not _same_env(env) else _get_zygote()
        if zygote is not None and zygote.lock.acquire(blocking=False):
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            request = {
                "code": code,
                "argv": ["-c", *args],
                "cwd": os.path.abspath(cwd),
                "env": env,
                "faulthandler": faulthandler,
            }
            try:
                _send(zygote.sock, request, [out_w, err_w])
                self.pid = int(_recv(zygote.sock)[0]["pid"])
            except BaseException:
                zygote.lock.release()
                for fd in (out_r, err_r):
                    os.close(fd)
                _drop_zygote(zygote)
                raise
            finally:
                os.close(out_w)
                os.close(err_w)
            self._zygote = zygote
            self._status_fd = zygote.sock.fileno()
        else:
            flags = ["-X", "faulthandler"] if faulthandler else []
            self._popen = subprocess.Popen(
                [sys.executable, *flags, "-c", code, *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                env=env,
                start_new_session=True,
            )
            assert self._popen.stdout is not None and self._popen.stderr is not None
            out_r, err_r = os.dup(self._popen.stdout.fileno()), os.dup(self._popen.stderr.fileno())
            self._popen.stdout.close()
            self._popen.stderr.close()
            self.pid = self._popen.pid
            self._status_fd = os.pidfd_open(self.pid)
        self._pipes: dict[int, bytearray] = {out_r: self.stdout, err_r: self.stderr}

    # reading

    def read(self, timeout: float | None, until: bytes | None = None) -> bool:
        """Read the output until the child ended and closed its output (``True``), a stdout
        line equal to ``until`` came (``True``) or ``timeout`` seconds passed (``False``)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self.ended:
                return True
            if until is not None and until in self.stdout:
                if any(x.strip() == until for x in self.stdout.split(b"\n")[:-1]):
                    return True
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                return False
            fds = list(self._pipes)
            if self._status_fd is not None:
                fds.append(self._status_fd)
            for fd in select.select(fds, [], [], wait)[0]:
                if fd == self._status_fd:
                    self._read_status()
                    continue
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    self._pipes[fd] += chunk
                else:
                    del self._pipes[fd]
                    os.close(fd)

    @property
    def ended(self) -> bool:
        """The child ended and its output was read to the end."""
        return self._status_fd is None and not self._pipes

    def _read_status(self) -> None:
        if self._zygote is not None:
            try:
                status = int(_recv(self._zygote.sock)[0]["status"])
            except (EOFError, OSError, KeyError, ValueError):
                zygote, self._zygote = self._zygote, None
                zygote.lock.release()
                _drop_zygote(zygote)
                self.returncode = -signal.SIGKILL
            else:
                self.returncode = os.waitstatus_to_exitcode(status)
                self._zygote.lock.release()
                self._zygote = None
        else:
            assert self._popen is not None and self._status_fd is not None
            self.returncode = self._popen.wait()
            os.close(self._status_fd)
        self._status_fd = None

    def kill(self) -> None:
        """SIGKILL the child and its process group (if it has not ended yet)."""
        if self._status_fd is None:
            return
        if self._zygote is not None:
            try:
                _send(self._zygote.sock, {"kill": True})
            except OSError:
                pass
        else:
            _kill_group_client(self.pid)

    def close(self) -> None:
        """Kill the child (and its process group) if it still runs and wait for its status;
        the output it still writes is read for a bounded time (a grandchild outside its
        group may hold the pipes)."""
        if self._status_fd is not None:
            self.kill()
            self.read(30)
        if self._status_fd is not None:  # the output still open: the status can still come
            if select.select([self._status_fd], [], [], 30)[0]:
                self._read_status()
            else:
                self._give_up()
        for fd in list(self._pipes):
            os.close(fd)
        self._pipes.clear()

    def _give_up(self) -> None:
        """No status in time: drop the zygote (closing its socket makes it kill the group
        and exit), or kill and reap the fresh interpreter."""
        if self._zygote is not None:
            zygote, self._zygote = self._zygote, None
            zygote.lock.release()
            _drop_zygote(zygote)
        elif self._popen is not None and self._status_fd is not None:
            os.close(self._status_fd)
            self._popen.kill()
            self.returncode = self._popen.wait()
        self._status_fd = None

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _kill_group_client(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _same_env(env: Mapping[str, str]) -> bool:
    keys = (set(env) | set(_START_ENV)) - _VOLATILE_ENV
    return all(env.get(key) == _START_ENV.get(key) for key in keys)


def start(
    code: str,
    args: Sequence[str] = (),
    *,
    cwd: str | Path | None = None,
    faulthandler: bool = False,
    fresh: bool = False,
    env: Mapping[str, str] | None = None,
) -> Running:
    """Start ``python [-X faulthandler] -c code *args`` in ``cwd`` (forked from the zygote
    unless ``fresh`` or ``env`` differs from the zygote's environment)."""
    return Running(code, args, cwd=cwd, faulthandler=faulthandler, fresh=fresh, env=env)


def run(
    code: str,
    args: Sequence[str] = (),
    *,
    cwd: str | Path | None = None,
    timeout: float | None = None,
    faulthandler: bool = False,
    fresh: bool = False,
    env: Mapping[str, str] | None = None,
) -> tuple[int | None, bytes, bytes]:
    """Run the child to its end: ``(return code, stdout, stderr)``, the return code ``None``
    if it still ran after ``timeout`` seconds (then it was killed, with its process group)."""
    with start(code, args, cwd=cwd, faulthandler=faulthandler, fresh=fresh, env=env) as child:
        finished = child.read(timeout)
        child.close()
        return (child.returncode if finished else None), bytes(child.stdout), bytes(child.stderr)


def subprocess_run(
    argv: Sequence[str],
    *,
    capture_output: bool = True,
    text: bool = False,
    timeout: float | None = None,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = False,
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run`` for ``[sys.executable, ["-X", "faulthandler",] "-c", code, *args]``
    with the output captured, through the zygote; ``subprocess.TimeoutExpired`` on a timeout
    (the child killed, the output so far on the exception)."""
    argv = [os.fspath(x) for x in argv]
    assert capture_output, "the zygote's children always have their output captured"
    assert argv[0] == sys.executable, argv
    faulthandler = argv[1:3] == ["-X", "faulthandler"]
    rest = argv[3:] if faulthandler else argv[1:]
    assert rest[0] == "-c", argv
    code, args = rest[1], rest[2:]
    returncode, out, err = run(
        code, args, cwd=cwd, timeout=timeout, faulthandler=faulthandler, env=env
    )
    stdout: Any = out.decode(errors="replace") if text else out
    stderr: Any = err.decode(errors="replace") if text else err
    if returncode is None:
        raise subprocess.TimeoutExpired(list(argv), timeout or 0, output=stdout, stderr=stderr)
    done = subprocess.CompletedProcess(list(argv), returncode, stdout, stderr)
    if check:
        done.check_returncode()
    return done
