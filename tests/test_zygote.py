"""The zygote's children behave as ``python -c`` children: the harm tests rely on it."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import zygote


def test_argv_folder_main_and_output(tmp_path: Path) -> None:
    code = (
        "import os, sys\n"
        "print(__name__, sys.argv, os.getcwd(), sys.path[0] == '')\n"
        "print('to stderr', file=sys.stderr)\n"
    )
    returncode, out, err = zygote.run(code, ["a", "b"], cwd=tmp_path, timeout=60)
    assert returncode == 0
    assert out.decode() == f"__main__ ['-c', 'a', 'b'] {tmp_path} True\n"
    assert err == b"to stderr\n"


def test_exit_codes_and_tracebacks() -> None:
    assert zygote.run("import sys; sys.exit(3)", timeout=60)[0] == 3
    assert zygote.run("import sys; sys.exit('why')", timeout=60)[::2] == (1, b"why\n")
    returncode, _, err = zygote.run("raise ValueError('boom')", timeout=60)
    assert returncode == 1
    assert err.decode().splitlines() == [
        "Traceback (most recent call last):",
        '  File "<string>", line 1, in <module>',
        "ValueError: boom",
    ]


def test_a_signal_is_a_negative_return_code_and_faulthandler_reports() -> None:
    code = "import ctypes; ctypes.string_at(0)"
    returncode, _, err = zygote.run(code, timeout=60, faulthandler=True)
    assert returncode == -11 and b"Fatal Python error: Segmentation fault" in err
    assert zygote.run(code, timeout=60)[::2] == (-11, b"")


def test_cpu_counts_from_the_fork() -> None:
    code = (
        "import resource\n"
        "used = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(used.ru_utime + used.ru_stime)\n"
        "resource.setrlimit(resource.RLIMIT_CPU, (1, 1))\n"
        "while True:\n    pass\n"
    )
    returncode, out, _ = zygote.run(code, timeout=60)
    assert float(out) < 0.5  # the zygote's seconds of imports are not the child's
    assert returncode is not None and returncode < 0  # killed at its CPU limit


def test_a_timeout_kills_the_child_and_its_children(tmp_path: Path) -> None:
    # one write each: print's separate writes of two processes interleave on the shared pipe
    code = "import os, time\nos.fork()\nos.write(1, b'pid %d\\n' % os.getpid())\ntime.sleep(600)\n"
    started = time.monotonic()
    # (the timeout counts from the fork: 2 s leave a busy machine time for both writes)
    returncode, out, _ = zygote.run(code, cwd=tmp_path, timeout=2)
    assert returncode is None and time.monotonic() - started < 60
    # only whole "pid N" lines: the kill may cut a line short
    pids = {int(m) for m in re.findall(r"^pid (\d+)$", out.decode(), re.MULTILINE)}
    assert len(pids) == 2, out
    time.sleep(0.5)
    for pid in pids:  # gone, or a zombie until its reaper runs
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            continue
        assert state in ("Z", "X"), (pid, state)


def test_the_children_do_not_share_state() -> None:
    first = zygote.run("import numpy; numpy.PATCHED = 1; print(numpy.random.rand())", timeout=60)
    second = zygote.run("import numpy; print(hasattr(numpy, 'PATCHED'), numpy.random.rand())")
    assert second[1].split()[0] == b"False"
    assert first[1] != second[1].split()[1] + b"\n"  # numpy's global random state reseeded


def test_a_changed_environment_runs_a_fresh_interpreter(monkeypatch: object) -> None:
    code = "import os, sys; print(os.environ.get('ZYGOTE_PROBE'), 'numpy' in sys.modules)"
    assert zygote.run(code, timeout=60)[1] == b"None True\n"
    env = dict(os.environ, ZYGOTE_PROBE="1")
    assert zygote.run(code, timeout=120, env=env)[1] == b"1 False\n"
    assert zygote.run(code, timeout=120, fresh=True)[1] == b"None False\n"


def test_subprocess_run_form(tmp_path: Path) -> None:
    done = zygote.subprocess_run(
        [
            sys.executable,
            "-X",
            "faulthandler",
            "-c",
            "import faulthandler, sys; print(faulthandler.is_enabled(), sys.argv[1])",
            "x",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0 and done.stdout == "True x\n"
