"""The child processes :func:`safeload.testing.run_isolated` runs attack cases in: each with a
memory cap and its own session, reporting one JSON line per case, restarted after a crash or a
timeout (and then killed with everything it started).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from safeload._attack_runs import CaseResult, _check_fn, _execute, _import_spec
from safeload._attacks import attack_corpus


def _limit_memory(limit: int | None) -> None:
    if not limit:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child_main(job_json: str) -> None:
    """Entry point of a child process: run the listed ``(case, check)`` items in order,
    writing one JSON line when each starts and one with its result."""
    job = json.loads(job_json)
    _limit_memory(job["memory"])
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever payloads print goes to stderr, not into the report channel
    corpus = {c.name: c for c in attack_corpus()}
    try:
        loader = _import_spec(job["loader"]) if job["loader"] else None
    except (ImportError, AttributeError, TypeError) as exc:
        # Every case would "get through" with this error: say so once, at once.
        module = job["loader"].partition(":")[0]
        out.write(json.dumps({"fatal": f"cannot import {module} ({job['loader']}): {exc}"}) + "\n")
        out.close()
        return
    for name, check in job["items"]:
        out.write(json.dumps({"start": [name, check]}) + "\n")
        case = corpus[name]
        result = _execute(
            case, check, Path(job["workdir"], name, check), _check_fn(case, check, loader)
        )
        out.write(json.dumps({"result": asdict(result)}) + "\n")
    out.close()


_CHILD = "import sys; from safeload._attack_children import _child_main; _child_main(sys.argv[1])"


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill a child this module started, with everything it started (its own session)."""
    if proc.poll() is not None:
        return
    if hasattr(os, "killpg"):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # pragma: no cover - exited meanwhile
            pass
    else:  # pragma: no cover - Windows
        proc.kill()
    proc.wait()


def _drive(
    items: list[tuple[str, str]],
    workdir: Path,
    loader: str | None,
    timeout: float,
    memory: int | None,
) -> dict[tuple[str, str], CaseResult]:
    """Run ``items`` in child processes, restarting after a crash or a timeout."""
    results: dict[tuple[str, str], CaseResult] = {}
    pending = list(items)
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"  # keeps the address space small under the memory cap
    while pending:
        job = {"items": pending, "workdir": str(workdir), "loader": loader, "memory": memory}
        log = tempfile.TemporaryFile()
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", _CHILD, json.dumps(job)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            start_new_session=hasattr(os, "killpg"),
        )
        lines: queue.Queue[bytes | None] = queue.Queue()

        def pump(stream: Any = proc.stdout, sink: queue.Queue[bytes | None] = lines) -> None:
            for line in stream:
                sink.put(line)
            sink.put(None)

        threading.Thread(target=pump, daemon=True).start()
        current: tuple[str, str] | None = None
        failure: str | None = None
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                failure = "<timeout>"
                _kill(proc)
                break
            if line is None:
                if proc.wait() != 0 or pending:
                    failure = f"<crashed: exit status {proc.returncode}>"
                break
            msg = json.loads(line)
            if "fatal" in msg:
                _kill(proc)
                log.close()
                if proc.stdout is not None:
                    proc.stdout.close()
                raise ImportError(msg["fatal"])
            if "start" in msg:
                current = (msg["start"][0], msg["start"][1])
            else:
                result = CaseResult(**msg["result"])
                results[(result.name, result.check)] = result
                pending.remove((result.name, result.check))
                current = None
        if failure is not None and pending:
            item = current or pending[0]
            log.seek(0)
            tail = log.read()[-2000:].decode("utf-8", "replace")
            results[item] = CaseResult(
                item[0],
                item[1],
                False,
                failure,
                f"{failure} (time limit {timeout:g}s); child stderr tail: {tail}",
            )
            pending.remove(item)
        log.close()
        if proc.stdout is not None:
            proc.stdout.close()
    return results
