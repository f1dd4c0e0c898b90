"""Differential fuzz target: the static pass against the real C unpickler, on the same bytes.

python fuzz/fuzz_diff.py [-runs=N] [-max_total_time=S] [CORPUS_DIR]

The static pass predicts what ``_pickle`` will do; every disagreement is a bypass of whatever
relies on the prediction (issue 14). For each input the pass runs with ``keep_values`` and, when
it finds the stream clean, the C unpickler loads it with only harmless globals (containers,
``_codecs.encode``, ``copyreg._reconstructor`` on ``object``). When both accept, the value the
stream returns and every memo entry must agree: each constant the pass decoded must be the
very value (type and bits) the C unpickler built, each tuple item for item, each dict on the
keys the pass tracks, each list's length, and the memo must hold the same indexes. Any
difference raises ``AssertionError``, which atheris reports as a finding.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import struct
import sys
from typing import Any

import atheris

with atheris.instrument_imports(include=["safeload"]):
    from safeload._symbolic import _Box, _Bytes, _Const, _Dict, _Global, _Obj, _Tuple
    from safeload.pickle.walker import analyze
    from safeload.policy import Limits, Policy

POLICY = Policy.default()
LIMITS = Limits(max_depth=200, max_opcodes=100_000, max_item_size=1 << 20)
#: The only globals the C unpickler may resolve here: nothing they do can run code, touch
#: files or allocate more than the input's size.
HARMLESS: dict[tuple[str, str], Any] = {
    ("builtins", "tuple"): tuple,
    ("builtins", "list"): list,
    ("builtins", "dict"): dict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "object"): object,
    ("_codecs", "encode"): __import__("_codecs").encode,
    ("copyreg", "_reconstructor"): copyreg._reconstructor,
}


class _Harmless(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in HARMLESS:
            return HARMLESS[(module, name)]
        raise pickle.UnpicklingError(f"{module}.{name} is not harmless")

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("no persistent ids")


def _same_const(sym: Any, real: Any) -> bool:
    if isinstance(real, float) and type(sym) is float:
        return struct.pack("<d", sym) == struct.pack("<d", real)
    if isinstance(real, bytearray):
        return isinstance(sym, (bytes, bytearray, memoryview)) and bytes(sym) == real
    return type(sym) is type(real) and bool(sym == real)


def agree(sym: Any, real: Any, where: str, depth: int = 0) -> None:
    """Raise AssertionError unless the symbolic value ``sym`` describes the built ``real``."""
    if depth > 50:  # a container that holds itself: what we compared so far is enough
        return
    if isinstance(sym, _Const):
        if not _same_const(sym.value, real):
            raise AssertionError(f"{where}: pass decoded {sym.value!r}, C built {real!r}")
    elif isinstance(sym, _Tuple):
        if type(real) is not tuple or len(real) != len(sym.items):
            raise AssertionError(f"{where}: pass saw a {len(sym.items)}-tuple, C built {real!r}")
        for i, (s, r) in enumerate(zip(sym.items, real, strict=True)):
            agree(s, r, f"{where}[{i}]", depth + 1)
    elif isinstance(sym, _Dict):
        if type(real) is not dict:
            raise AssertionError(f"{where}: pass saw a dict, C built {type(real).__name__}")
        for key, value in sym.items.items():
            if key not in real:
                raise AssertionError(f"{where}: pass saw key {key!r}, C did not")
            agree(value, real[key], f"{where}[{key!r}]", depth + 1)
    elif isinstance(sym, _Box):
        if type(real) not in (list, set, frozenset):
            raise AssertionError(f"{where}: pass saw a list or set, C built {real!r}")
        if type(real) is list and len(real) != sym.count:
            raise AssertionError(f"{where}: pass counted {sym.count} items, C built {len(real)}")
    elif isinstance(sym, _Bytes):
        if type(real) is not bytearray or len(real) != sym.size:
            raise AssertionError(f"{where}: pass saw a {sym.size}-byte bytearray")
    elif isinstance(sym, _Global):
        if HARMLESS.get(sym.pair) is not real:
            raise AssertionError(f"{where}: pass resolved {sym.pair}, C found {real!r}")
    elif isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in HARMLESS:
        made = HARMLESS[sym.cls.pair]
        if isinstance(made, type) and made is not object and type(real) is not made:
            raise AssertionError(f"{where}: pass saw a {made.__name__}, C built {real!r}")
    # anything else (opaque values, calls the pass does not model) predicts nothing to check


def check(data: bytes) -> None:
    """The differential property for one input (see the module docstring)."""
    analysis = analyze(data, policy=POLICY, limits=LIMITS, keep_values=True)
    if analysis.problems or analysis.kept is None:
        return  # refused by the pass: nothing it predicted can be relied on
    unpickler = _Harmless(io.BytesIO(data))
    try:
        value = unpickler.load()
    except Exception:  # the C unpickler refusing is never a bypass
        return
    top, memo = analysis.kept
    agree(top, value, "result")
    real_memo = unpickler.memo.copy()
    for idx, sym in enumerate(memo):
        if sym is None:
            continue
        if idx not in real_memo:
            raise AssertionError(f"memo[{idx}]: set for the pass, unset for C")
        agree(sym, real_memo[idx], f"memo[{idx}]")
    unset = [i for i in real_memo if i >= len(memo) or memo[i] is None]
    if unset:
        raise AssertionError(f"memo{unset}: set for C, unset for the pass")


def test_one_input(data: bytes) -> None:
    check(data)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
