"""Scan against load on random streams of a small opcode grammar (issue 14: ``scan`` = ``load``).

    python fuzz/parity_grammar.py --seconds 60 [--seed 0] [--count N]

The byte-mutating targets rarely produce a well-formed stream that calls a container or number
class with odd arguments; this target writes such streams directly. A protocol-5 stream is one
random value of a small grammar: atoms (None, 1, short strings, an empty tuple/list/dict, True),
allowlisted globals (``dict``, ``set``, ``collections.defaultdict``, ``decimal.Decimal``,
``numpy.log1p``, ``StandardScaler``...), tuples, lists, dicts, calls (REDUCE) of a global on
zero to two values, and BUILD of a value with a small state. Each distinct stream is given to
``safeload.scan`` (bytes) and ``safeload.load_unsigned`` (a file); a disagreement (scan safe and
the load refuses, or scan unsafe and the load returns a value) is a finding, except a stream
scan calls only unproven, which the issue allows (it is counted apart). The findings are
printed grouped by (scan verdict, load outcome, the load's reason), each with its shortest
stream. The same seed makes the same sequence of streams (the time box only cuts it); give
``--count`` for a fixed number of streams. Exit status 1 when anything disagreed.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE.parent / "tests")]


def _global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


GLOBALS = [
    _global("builtins", "list"),
    _global("builtins", "tuple"),
    _global("builtins", "set"),
    _global("builtins", "dict"),
    _global("builtins", "float"),
    _global("numpy", "float64"),
    _global("numpy", "log1p"),
    _global("collections", "defaultdict"),
    _global("collections", "OrderedDict"),
    _global("decimal", "Decimal"),
    _global("builtins", "range"),
    _global("builtins", "frozenset"),
    _global("builtins", "object"),
    _global("collections", "Counter"),
    _global("sklearn.preprocessing._data", "StandardScaler"),
]
ATOMS = [b"N", b"K\x01", b"X\x01\x00\x00\x00a", b"X\x01\x00\x00\x00x", b")", b"]", b"}", b"\x88"]


def value(rng: random.Random, depth: int) -> bytes:
    """One random value's opcodes (no memo)."""
    r = rng.random()
    if depth > 3 or r < 0.3:
        return rng.choice(ATOMS)
    if r < 0.45:
        return rng.choice(GLOBALS)
    if r < 0.55:
        return value(rng, depth + 1) + b"\x85"
    if r < 0.62:
        return value(rng, depth + 1) + value(rng, depth + 1) + b"\x86"
    if r < 0.7:
        return b"]" + value(rng, depth + 1) + b"a"
    if r < 0.78:
        return b"}X\x01\x00\x00\x00k" + value(rng, depth + 1) + b"s"
    if r < 0.9:  # a call of a global on 0, 1 or 2 values
        args = rng.choice(
            [
                b")",
                value(rng, depth + 1) + b"\x85",
                value(rng, depth + 1) + value(rng, depth + 1) + b"\x86",
            ]
        )
        return rng.choice(GLOBALS) + args + b"R"
    states = [b"N", b"}", b"N}\x86", b"NN\x86", b"}X\x01\x00\x00\x00aK\x01s", value(rng, depth + 1)]
    return value(rng, depth + 1) + rng.choice(states) + b"b"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=0, help="stop after this many streams")
    parser.add_argument("--show", type=int, default=30, help="groups of findings to print")
    parser.add_argument("--dump", type=Path, help="write every disagreeing stream here (hex)")
    opts = parser.parse_args()
    warnings.simplefilter("ignore")
    import safeload
    from safeload import SafeloadError

    rng = random.Random(opts.seed)  # noqa: S311 - a reproducible stream order, not a secret
    path = Path(tempfile.mkdtemp()) / "m.pkl"
    end = time.monotonic() + opts.seconds
    streams = disagreements = allowed = 0
    seen: set[bytes] = set()
    groups: dict[tuple[object, str, str], list[bytes]] = {}
    while time.monotonic() < end and not (opts.count and streams >= opts.count):
        data = b"\x80\x05" + value(rng, 0) + b"."
        if data in seen:
            continue
        seen.add(data)
        streams += 1
        unproven = False
        try:
            report = safeload.scan(data)
            safe: object = report.safe
            unproven = bool(report.findings) and all(
                f.message.startswith("unproven:") for f in report.findings
            )
        except Exception as e:  # a raw exception from scan is a finding too
            safe = ("exception", type(e).__name__)
        path.write_bytes(data)
        reason = ""
        try:
            safeload.load_unsigned(path)
            outcome = "loaded"
        except SafeloadError as e:
            outcome = "refused"
            reason = str(e).split(": ", 1)[-1][:70]
        except Exception as e:
            outcome = "exception " + type(e).__name__
        if unproven and outcome == "loaded":
            # issue 14 allows it: scan may report what it cannot model as unproven, and the
            # load judges what it built; only a refused file called SAFE, or a file scan calls
            # unsafe (not unproven) that loads, disagrees
            allowed += 1
        elif safe is not (outcome == "loaded"):
            disagreements += 1
            key = (safe, outcome, re.sub(r"[0-9]+", "N", reason))
            groups.setdefault(key, []).append(data)
    if opts.dump:
        opts.dump.write_text(
            "".join(f"{k[0]} {k[1]} {d.hex()}\n" for k, found in groups.items() for d in found)
        )
    print(
        "seed", opts.seed, "streams", streams, "disagreements", disagreements,
        "unproven to scan and loaded", allowed,
    )  # fmt: skip
    ranked = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    for key, found in ranked[: opts.show]:
        print(len(found), key, min(found, key=len))
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
