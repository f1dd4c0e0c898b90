"""Run every fuzz target for a bounded time or number of runs, from fresh seeds.

python fuzz/run.py --seconds 60        # make fuzz (then again with --pure)
python fuzz/run.py --runs 3000         # the short run inside make test

atheris measures coverage of Python bytecode, so it cannot see inside the static pass where
setup.py compiled it with mypyc. ``--pure`` runs the targets on a pure-Python copy of the
package: coverage-guided. Without it they run the installed (compiled) code, which is what
users run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = ("fuzz_sidecar.py", "fuzz_scan.py", "fuzz_load.py", "fuzz_diff.py")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=None)
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pure", action="store_true", help="fuzz a pure-Python copy (see above)")
    ap.add_argument("--target", choices=TARGETS, help="run this target only (default: all)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from _seeds import write_seeds

    total = 0
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        if args.pure:
            source = HERE.parent / "src" / "safeload"
            shutil.copytree(
                source,
                Path(tmp) / "pure" / "safeload",
                ignore=shutil.ignore_patterns("*.so", "__pycache__"),
            )
            env["PYTHONPATH"] = str(Path(tmp) / "pure")
        for target in [args.target] if args.target else TARGETS:
            corpus = write_seeds(Path(tmp) / target.removesuffix(".py"))
            limit = (
                f"-max_total_time={args.seconds}" if args.seconds else f"-runs={args.runs or 3000}"
            )
            cmd = [
                sys.executable,
                str(HERE / target),
                limit,
                f"-seed={args.seed}",
                "-max_len=4096",
                "-rss_limit_mb=4096",
                "-timeout=20",
                str(corpus),
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
            runs = re.findall(r"Done (\d+) runs", proc.stderr)
            done = int(runs[-1]) if runs else 0
            total += done
            status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
            print(f"{target}: {done} executions, {status}")
            if proc.returncode != 0:
                print(proc.stderr[-4000:], file=sys.stderr)
                return 1
    print(f"fuzz{' (pure Python)' if args.pure else ''}: {total} executions in all, no crash")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
