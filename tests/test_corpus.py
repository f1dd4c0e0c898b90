"""No false alarms: real scikit-learn models load under the default policy, in every format.

Each corpus model is written by plain pickle.dump (protocols 2-5) and plain joblib.dump
(uncompressed and every compression joblib writes), loaded with load_unsigned under the default
policy (nothing extra trusted), and must predict exactly as the original.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

import safeload
from corpus import CorpusModel, build_corpus, probe
from safeload import SigningKey, load_unsigned

VARIANTS: list[tuple[str, dict[str, Any]]] = [
    *[(f"p{p}.pkl", {"protocol": p}) for p in (2, 3, 4, 5)],
    ("plain.joblib", {}),
    *[(f"{c}.joblib", {"compress": (c, 3)}) for c in ("zlib", "gzip", "bz2", "xz", "lzma")],
]
CORPUS = build_corpus()


def _write(model: Any, name: str, opts: dict[str, Any]) -> bytes:
    if name.endswith(".pkl"):
        return pickle.dumps(model, protocol=opts["protocol"])
    buf = io.BytesIO()
    joblib.dump(model, buf, **opts)
    return buf.getvalue()


def _same(a: Any, b: Any) -> bool:
    if hasattr(a, "toarray"):
        a, b = a.toarray(), b.toarray()
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


def test_corpus_is_large_enough() -> None:
    assert len({m.name for m in CORPUS}) >= 30


@pytest.mark.parametrize("entry", CORPUS, ids=[m.name for m in CORPUS])
def test_every_variant_loads_with_the_default_policy(tmp_path: Path, entry: CorpusModel) -> None:
    expected = probe(entry.estimator, entry.X)
    for name, opts in VARIANTS:
        path = tmp_path / name
        path.write_bytes(_write(entry.estimator, name, opts))
        report = safeload.scan(path)
        assert report.safe, (name, report.untrusted, report.findings)
        loaded = load_unsigned(path)
        assert _same(probe(loaded, entry.X), expected), name


def test_signed_roundtrip_of_the_corpus(tmp_path: Path, ed_key: SigningKey) -> None:
    for entry in CORPUS:
        path = tmp_path / f"{entry.name}.joblib"
        safeload.dump(entry.estimator, path, ed_key)
        loaded = safeload.load(path, ed_key.public_key)
        assert _same(probe(loaded, entry.X), probe(entry.estimator, entry.X)), entry.name
