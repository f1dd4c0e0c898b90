"""numpy random generators and seed sequences: the state their C code reads by stored position."""

from __future__ import annotations

from typing import Any

import numpy as np

from safeload.trust.structures.common import is_int, require

#: Bit generators whose state holds no index (128-bit or fixed-size counters only).
_BITGEN_NO_INDEX = frozenset({"PCG64", "PCG64DXSM", "SFC64"})


#: Bit generators whose C code indexes a buffer with a position stored in its state, with no
#: bound of its own: MT19937 reads ``key[pos]`` and Philox ``buffer[buffer_pos]`` on the next
#: draw. (name -> (path to the position in the state dict, the largest honest value)).
_BITGEN_POSITIONS: dict[str, tuple[tuple[str, ...], int, tuple[str, ...], int]] = {
    "MT19937": (("state", "pos"), 624, ("state", "key"), 624),
    "Philox": (("buffer_pos",), 4, ("buffer",), 4),
}


def _random_state_dict(state: Any) -> Any:
    """The state dict of a bit generator or legacy random state, in the forms numpy's setters
    take it: the dict, ``(dict, seed_sequence)`` (a bit generator's pickled state) or the legacy
    tuple ``("MT19937", key, pos[, has_gauss, gauss])``. ``None`` when there is none."""
    if type(state) is tuple and len(state) == 2 and isinstance(state[0], dict):
        return state[0]
    if type(state) is tuple and len(state) in (3, 5) and state[0] == "MT19937":
        out = {"bit_generator": "MT19937", "state": {"key": state[1], "pos": state[2]}}
        if len(state) == 5:
            out["has_gauss"] = state[3]
        return out
    return state


def check_random_state(gen: Any, context: Any) -> None:
    """numpy's bit-generator state setters store positions without a range check, and the next
    draw reads ``key[pos]`` / ``buffer[buffer_pos]`` in C: a stored position of 10**9 makes any
    method that draws (``fit``, ``predict`` of a stratified ``DummyClassifier``, ``sample``)
    read gigabytes past the buffer. Checked on the state numpy's own getter returns (on what the
    stream gives, for scan's shadows)."""
    if type(gen) is gen.__class__:  # a real object: numpy's getters say what it holds
        state = gen.get_state(legacy=False) if hasattr(gen, "get_state") else gen.state
    else:
        state = _random_state_dict(gen.__getstate__())
    if state is None:  # a bit generator built without state is freshly seeded
        return
    require(isinstance(state, dict), "random state is not a dict")
    name = state.get("bit_generator")
    for flag in ("has_uint32", "has_gauss"):
        if flag in state:
            require(is_int(state[flag]) and int(state[flag]) in (0, 1), f"{flag} is not 0 or 1")
    if name in _BITGEN_NO_INDEX:
        return
    require(name in _BITGEN_POSITIONS, f"unknown bit generator {name!r}")
    at, top, buf_at, size = _BITGEN_POSITIONS[str(name)]

    def get(path: tuple[str, ...]) -> Any:
        value: Any = state
        for part in path:
            require(isinstance(value, dict) and part in value, f"{name} state has no {part}")
            value = value[part]
        return value

    pos = get(at)
    require(is_int(pos) and 0 <= int(pos) <= top, f"{name} {at[-1]} is out of range")
    require(np.shape(get(buf_at))[:1] >= (size,), f"{name} {buf_at[-1]} is too short")


#: Most bits of one seed-sequence entropy word accepted: numpy draws 128 bits from the OS when
#: no seed is given, and ``spawn`` converts the entropy to 32-bit words in time quadratic in its
#: size (a 1 MB int: minutes, rt28-15).
_MAX_ENTROPY_BITS = 4096
#: Most ints in a seed-sequence entropy given as a sequence (numpy's pool is 4 words).
_MAX_ENTROPY_ITEMS = 64

#: Largest seed-sequence pool accepted: numpy's default is 4 words, and spawning a child mixes
#: the pool in O(pool_size ** 2) steps.
_MAX_POOL_SIZE = 64


def check_seed_sequence(seq: Any, context: Any) -> None:
    """``SeedSequence`` is rebuilt with typed fields set as the file gives them, never checked
    against each other: a 4-word pool with ``pool_size`` 1,000,000 makes ``Generator.spawn``
    run for hours (red team r15-18). The pool must be uint32 words, as many as ``pool_size``
    says, at most :data:`_MAX_POOL_SIZE`; the spawn key a short tuple of non-negative ints."""
    if type(seq) is seq.__class__:  # a real object
        fields = (seq.entropy, seq.n_children_spawned, seq.pool, seq.pool_size, seq.spawn_key)
    else:  # a shadow: the state tuple __pyx_unpickle_SeedSequence receives
        fields = seq.__getstate__()
    require(type(fields) is tuple and len(fields) == 5, "seed sequence state malformed")
    entropy, spawned, pool, pool_size, spawn_key = fields
    _check_entropy(entropy)
    require(is_int(pool_size) and 1 <= int(pool_size) <= _MAX_POOL_SIZE, "pool_size too large")
    require(
        isinstance(pool, np.ndarray) and pool.dtype == np.uint32 and pool.shape == (pool_size,),
        "seed sequence pool disagrees with pool_size",
    )
    require(is_int(spawned) and int(spawned) >= 0, "n_children_spawned is not a count")
    require(
        type(spawn_key) is tuple
        and len(spawn_key) <= 64
        and all(is_int(k) and int(k) >= 0 for k in spawn_key),
        "spawn_key is not a short tuple of non-negative ints",
    )


def _entropy_word(value: Any) -> bool:
    return is_int(value) and 0 <= int(value) and int(value).bit_length() <= _MAX_ENTROPY_BITS


def _check_entropy(entropy: Any) -> None:
    """``spawn`` (and ``generate_state``) make a child ``SeedSequence(self.entropy, ...)``
    and convert the entropy word by word, quadratic in its size (rt28-15): ``None``, a
    non-negative int of at most :data:`_MAX_ENTROPY_BITS` bits, or a short list, tuple or 1-D
    integer array of such ints, as numpy keeps a seed it was given."""
    if entropy is None or _entropy_word(entropy):
        return
    if isinstance(entropy, np.ndarray):
        require(
            entropy.ndim == 1 and entropy.dtype.kind in "iu" and entropy.size <= _MAX_ENTROPY_ITEMS,
            "seed sequence entropy is not a short array of ints",
        )
        require(bool(np.all(entropy >= 0)), "seed sequence entropy holds a negative int")
        return
    require(
        type(entropy) in (list, tuple)
        and len(entropy) <= _MAX_ENTROPY_ITEMS
        and all(_entropy_word(k) for k in entropy),
        f"seed sequence entropy is not None, an int of at most {_MAX_ENTROPY_BITS} bits or a "
        f"list of at most {_MAX_ENTROPY_ITEMS} such ints",
    )
