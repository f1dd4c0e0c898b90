"""Fuzz a skops file's container: every input loads or raises a SafeloadError, never anything else.

    python fuzz/fuzz_skops_zip.py --seconds 120 [--seed 1] [--out DIR]

The byte-level targets (``fuzz_load.py``) cover pickle and joblib; a mutated zip almost never
gets past its CRCs there. This target mutates the two layers a skops file has, starting from
three honest files (a logistic regression, a decision tree, a pipeline):

- **zip headers**: one to three bytes of the local and central directory headers (versions,
  flags, method, sizes, name lengths) or anywhere in the file, set to values that often mean
  something (0, 1, 0xff, the deflate/bzip2/LZMA method numbers, a flipped bit);
- **the schema**: one to three fields of ``schema.json`` replaced by another type, another node
  kind, or another node of the same schema (shared and cyclic references), then zipped again
  with valid CRCs, so the checks after the zip layer are reached.

Each mutant goes to ``load_unsigned`` and ``scan``. Any exception that is not a
``SafeloadError`` is a finding: the file is written to ``--out`` and the exit status is 1.
Found with it: an encrypted-member flag, a "zip file version" zipfile does not read and a method
byte turned to LZMA each escaped as zipfile's own exception.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import skops.io

import safeload
from safeload.exceptions import SafeloadError

#: values a schema field is set to
_VALUES: list[Any] = [
    None,
    0,
    -1,
    2**70,
    1.5,
    "",
    "x",
    [],
    {},
    True,
    "numpy.ndarray",
    "NdArrayNode",
    "ObjectNode",
    "JsonNode",
    "numpy",
    "builtins",
    "int",
    [1, 2],
    {"__loader__": "JsonNode", "content": "1", "is_json": True},
]


def _seeds() -> list[bytes]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    x = np.random.RandomState(0).rand(40, 3)
    y = np.arange(40) % 2
    models = [
        LogisticRegression().fit(x, y),
        DecisionTreeClassifier(max_depth=3).fit(x, y),
        Pipeline([("s", StandardScaler()), ("t", DecisionTreeClassifier(max_depth=2))]).fit(x, y),
    ]
    return [skops.io.dumps(m) for m in models]


def _mutate_headers(raw: bytes, rng: random.Random) -> bytes:
    out = bytearray(raw)
    headers = [
        i for i in range(len(out) - 4) if out[i : i + 2] == b"PK" and out[i + 2] in (1, 3, 5)
    ]
    for _ in range(rng.randint(1, 3)):
        at = (
            rng.choice(headers) + rng.randint(4, 45)
            if rng.random() < 0.8
            else rng.randrange(len(out))
        )
        if at < len(out):
            out[at] = rng.choice(
                [0, 1, 0xFF, 0x7F, 8, 12, 14, 93, 99, out[at] ^ (1 << rng.randint(0, 7))]
            )
    return bytes(out)


def _mutate_schema(raw: bytes, rng: random.Random) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(raw))
    schema = json.loads(source.read("schema.json"))
    nodes: list[dict[str, Any]] = []
    todo: list[Any] = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            nodes.append(node)
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    for _ in range(rng.randint(1, 3)):
        node = rng.choice(nodes)
        key = rng.choice([*node, "extra"])
        node[key] = rng.choice([*_VALUES, rng.choice(nodes)])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = (
                json.dumps(schema).encode() if info.filename == "schema.json" else source.read(info)
            )
            target.writestr(info, body)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "safeload-skops-fuzz")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    rng = random.Random(args.seed)  # noqa: S311 - a reproducible mutation order
    seeds = _seeds()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "current.skops"
    end = time.monotonic() + args.seconds
    runs = found = 0
    while time.monotonic() < end:
        seed = rng.choice(seeds)
        try:  # a schema mutation json cannot write (a node made to hold itself) is skipped
            data = _mutate_schema(seed, rng) if rng.random() < 0.5 else _mutate_headers(seed, rng)
        except (ValueError, RecursionError):
            continue
        runs += 1
        path.write_bytes(data)
        for side in ("load_unsigned", "scan"):
            try:
                if side == "scan":
                    safeload.scan(data)
                else:
                    safeload.load_unsigned(path)
            except SafeloadError:
                pass
            except Exception as exc:  # a finding, recorded
                found += 1
                keep = args.out / f"finding-{args.seed}-{found}.skops"
                keep.write_bytes(data)
                print(f"{side}: {type(exc).__name__}: {str(exc)[:200]} ({keep})", flush=True)
    print(f"fuzz_skops_zip: seed {args.seed}, {runs} mutants, {found} findings")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
