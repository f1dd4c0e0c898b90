"""The harm a crafted file does without safeload, shown in a child process.

Security tests first load a payload with the plain loader (pickle, joblib or skops) and call a
method on it, in a child so that a crash, a hang or a blow-up of memory harms only the child
(forked from an interpreter that has imported the heavy modules, :mod:`zygote`);
then they show safeload refusing the same bytes. :func:`plain` runs that child. It asserts
only what it is told (``loads``); what the harm is (a marker file written, a crash by a
signal, a hang, an error in the output) each test asserts on the :class:`Child` it returns.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import zygote

Loader = Literal["pickle", "joblib", "skops"]

_LOADERS: dict[str, str] = {
    "pickle": 'with open(sys.argv[1], "rb") as fh:\n    model = pickle.load(fh)\n',
    "joblib": "import joblib\nmodel = joblib.load(sys.argv[1])\n",
    # every type the file names is trusted: skops as a user who answers "yes" runs it
    "skops": (
        "import skops.io as sio\n"
        "model = sio.load(sys.argv[1], trusted=sio.get_untrusted_types(file=sys.argv[1]))\n"
    ),
}


@dataclass(frozen=True)
class Child:
    """What the child did: its return code (``None`` if it was still running at the timeout
    and was killed) and what it printed. It prints ``loaded`` after the load and ``returned``
    after the call."""

    returncode: int | None
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def loaded(self) -> bool:
        return "loaded" in self.stdout.splitlines()

    @property
    def returned(self) -> bool:
        return "returned" in self.stdout.splitlines()

    @property
    def hung(self) -> bool:
        return self.returncode is None

    @property
    def crashed(self) -> bool:
        """Killed by a signal (a segfault, an abort)."""
        return self.returncode is not None and self.returncode < 0

    def __str__(self) -> str:
        return f"return code {self.returncode}, output ending {self.output[-2000:]!r}"


def child_code(
    call: str = "",
    *,
    loader: Loader = "pickle",
    data: tuple[int, int] | None = None,
    memory: int = 0,
    processes: int = 0,
    catch: bool = False,
) -> str:
    """The child's program (see :func:`plain`)."""
    code = "import pickle, resource, sys, warnings\nimport numpy as np\n"
    code += 'warnings.simplefilter("ignore")\n'
    if memory:
        code += f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
    if processes:
        code += f"resource.setrlimit(resource.RLIMIT_NPROC, ({processes}, {processes}))\n"
    if data is not None:
        code += f"X = np.random.RandomState(0).rand{data}\nY = (X[:, 0] > 0.5).astype(int)\n"
    code += _LOADERS[loader]
    code += 'print("loaded", flush=True)\n'
    if catch:
        call = "try:\n" + textwrap.indent(call or "pass", "    ")
        call += "\nexcept BaseException as exc:\n    print('raised', exc)"
    return code + call + '\nprint("returned", flush=True)\n'


def plain(
    path: Path,
    call: str = "",
    *,
    loader: Loader = "pickle",
    loads: bool | None = True,
    data: tuple[int, int] | None = None,
    memory: int = 0,
    processes: int = 0,
    catch: bool = False,
    args: Sequence[str] = (),
    cwd: Path | None = None,
    timeout: float = 60,
    hang_after_load: float | None = None,
    fresh: bool = False,
) -> Child:
    """Load ``path`` with the plain ``loader`` in a child, as ``model``, then run ``call``.

    ``loads``: assert, if the child finished, that the load got through (``True``), that it
    did not (``False``: the harm is in the load itself), or nothing (``None``). ``data``:
    ``X = RandomState(0).rand(*data)`` and ``Y = X[:, 0] > 0.5`` for the call. ``memory``
    (bytes of address space) and ``processes``: limits for the child. ``catch``: an
    exception from ``call`` is printed (``raised ...``), not fatal. ``args`` follow the path
    in ``sys.argv``. The child runs in ``cwd``, by default the folder of ``path`` (a test's
    temporary folder), so whatever a library writes beside itself (CatBoost's
    ``catboost_info/``) lands there, not in the repository. A child still running after
    ``timeout`` seconds is killed.
    ``hang_after_load``: to show a hang in ``call``, the child is killed that many seconds
    after it printed ``loaded`` (``timeout`` then bounds only the load), so a slow machine
    cannot mistake a slow import for the hang.
    ``fresh``: a new interpreter, not a fork of the :mod:`zygote`, for a harm that depends on
    the process's heap or address space as a fresh interpreter lays them out.
    """
    code = child_code(
        call, loader=loader, data=data, memory=memory, processes=processes, catch=catch
    )
    if cwd is None:
        cwd = Path(path).resolve().parent
    if hang_after_load is not None:
        child = _run_until_hung(code, [str(path), *args], cwd, timeout, hang_after_load, fresh)
        if loads is not None:
            assert child.loaded == loads, f"plain {loader} load: {child}"
        return child
    returncode, out, err = zygote.run(
        code, [str(path), *args], cwd=cwd, timeout=timeout, fresh=fresh
    )
    child = Child(returncode, _text(out), _text(err))
    if loads is not None:
        assert child.loaded == loads, (
            f"plain {loader} load {'failed' if loads else 'passed'}: {child}"
        )
    return child


def _run_until_hung(
    code: str,
    args: list[str],
    cwd: Path | None,
    load_timeout: float,
    after_load: float,
    fresh: bool,
) -> Child:
    """Run the child; once it prints ``loaded``, give it ``after_load`` seconds to finish.
    A load still running after ``load_timeout`` is killed (its return code says so)."""
    with zygote.start(code, args, cwd=cwd, fresh=fresh) as proc:
        if proc.read(load_timeout, until=b"loaded") and not proc.ended:
            finished = proc.read(after_load)
            proc.close()
            returncode = proc.returncode if finished else None
        else:
            proc.close()
            returncode = proc.returncode
        return Child(returncode, _text(bytes(proc.stdout)), _text(bytes(proc.stderr)))


def crashes(path: Path, call: str, **options: Any) -> Child:
    """:func:`plain`, asserting that the load gets through and ``call`` crashes the child.
    Whether an out-of-bounds read faults depends on what lies past the array; the zygote's
    children share one heap layout, so a child that did not crash is run once more in a
    fresh interpreter before the test fails."""
    child = plain(path, call, **options)
    if not child.crashed and not options.get("fresh"):
        child = plain(path, call, **{**options, "fresh": True})
    assert child.crashed, f"plain load + {call} should crash: {child}"
    return child


def _text(out: bytes | str | None) -> str:
    if out is None:
        return ""
    return out.decode(errors="replace") if isinstance(out, bytes) else out
