"""Red team r15-18: a numpy SeedSequence whose typed fields disagree.

``__pyx_unpickle_SeedSequence`` sets ``pool_size``, ``pool`` and ``spawn_key`` as the file gives
them. A 4-word pool with ``pool_size`` 1,000,000 makes ``Generator.spawn`` mix for hours
(O(pool_size ** 2) per child) from a file of a few hundred bytes.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harm import plain
from parity import load_unsigned
from safeload import MalformedArtifactError


def _with_seed_state(tmp_path: Path, change: dict[int, Any]) -> Path:
    """A dict holding ``default_rng(0)``, its SeedSequence pickled with state fields changed
    (0 entropy, 1 n_children_spawned, 2 pool, 3 pool_size, 4 spawn_key)."""
    rng = np.random.default_rng(0)
    func, args, state = rng.bit_generator.seed_seq.__reduce__()
    fields = list(state)
    for index, value in change.items():
        fields[index] = value
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=4)
    pickler.dispatch_table = {np.random.SeedSequence: lambda s: (func, args, tuple(fields))}
    pickler.dump({"model_seed": rng})
    path = tmp_path / "rng.pkl"
    path.write_bytes(buf.getvalue())
    return path


def test_pool_size_past_the_pool_hangs_spawn(tmp_path: Path) -> None:
    path = _with_seed_state(tmp_path, {3: 1_000_000})
    call = "rng = model['model_seed']\nprint('drew', rng.random(), flush=True)\nrng.spawn(1)"
    child = plain(path, call, hang_after_load=1.5)
    # plain pickle loads it and the generator draws, then spawn hangs
    assert child.hung and "drew" in child.stdout, child
    with pytest.raises(MalformedArtifactError, match="pool_size"):
        load_unsigned(path)  # scan agrees (parity.load_unsigned checks it)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({2: np.zeros(8, dtype=np.uint32)}, "pool disagrees"),  # 8 words, pool_size 4
        ({2: np.zeros(4, dtype=np.uint64)}, "pool disagrees"),
        ({4: (-1,)}, "spawn_key"),
        ({4: tuple(range(100))}, "spawn_key"),
        ({1: -5}, "n_children_spawned|uint32"),  # numpy refuses this one itself
    ],
)
def test_other_disagreeing_fields_are_refused(
    tmp_path: Path, change: dict[int, Any], why: str
) -> None:
    with pytest.raises(MalformedArtifactError, match=why):
        load_unsigned(_with_seed_state(tmp_path, change))


def test_honest_generators_and_seed_sequences_load(tmp_path: Path) -> None:
    honest = {
        "rng": np.random.default_rng(7),
        "seq": np.random.SeedSequence(3, spawn_key=(1, 2)),
        "big_pool": np.random.SeedSequence(11, pool_size=8),
        "child": np.random.default_rng(1).spawn(2)[1],
    }
    path = tmp_path / "honest.pkl"
    path.write_bytes(pickle.dumps(honest, protocol=4))
    loaded = load_unsigned(path)
    assert loaded["rng"].random() == np.random.default_rng(7).random()
    assert loaded["seq"].spawn_key == (1, 2)
    assert loaded["big_pool"].pool_size == 8
