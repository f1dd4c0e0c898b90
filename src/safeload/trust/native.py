"""The stream check for classes that hand a native model blob to their library's parser.

xgboost's, LightGBM's and CatBoost's models restore themselves in ``__setstate__`` by passing a
blob from the file to compiled code. Once that code runs, nothing safeload checks afterwards can
undo what it did, so what can be checked cheaply is checked in the stream, before anything is
built, by the static pass that both ``load`` and ``scan`` run (:mod:`safeload.pickle.walker`):

* the class is made only the way pickle makes it: NEWOBJ with no arguments, never a call (the
  constructors read model *files* named by their arguments);
* it receives exactly one ``BUILD``, whose state is a literal dict holding only the keys the
  library writes (:data:`safeload.trust.profiles.NATIVE_STATES`);
* the blob is of the right type (bytes or text), not empty, within :data:`MAX_BLOB`, and starts
  with the library's header.

What the blob *says* is the library's parser's business: safeload does not model xgboost's
UBJSON, LightGBM's text format or CatBoost's flatbuffers, and says so wherever it trusts them.
"""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any

from safeload._symbolic import _Big, _Bytes, _Const, _Dict, _Global, _Obj, _Tuple
from safeload.policy import format_name
from safeload.trust import native_params
from safeload.trust.profiles import MAX_BLOB, NATIVE_STATES, NativeState

__all__ = ["native_rule", "native_state_problem"]

_BYTEARRAY = ("builtins", "bytearray")
_BYTES = ("builtins", "bytes")
_ENCODE = ("_codecs", "encode")
_LATIN1 = ("latin1", "latin-1")
_NOT_LATIN1 = re.compile("[^\x00-\xff]")


def native_rule(pair: tuple[str, str]) -> NativeState | None:
    """The stream rule for ``pair`` if it restores a native model, else ``None``."""
    return NATIVE_STATES.get(pair)


def made_by_call(pair: tuple[str, str]) -> str:
    """Why a call of a native-model class (REDUCE, INST, OBJ, a reconstructor) is refused."""
    return (
        f"{format_name(*pair)} is called with arguments: its constructor reads model files "
        "named by them, and pickle never writes such a call (it makes the object with __new__ "
        "and gives it its state)"
    )


def _blob_value(sym: Any, data: Any, bytearrays: Container[int]) -> tuple[str, bytes, int] | None:
    """(kind, head, size) of a literal blob: ``kind`` is ``"str"``, ``"bytes"`` or
    ``"bytearray"`` (a BYTEARRAY8 constant or ``builtins.bytearray(bytes)``: a mutable buffer),
    ``head`` its first bytes (for a large bytearray the pass does not keep, read from the
    stream), ``size`` its length; ``None`` when the stream does not show a literal blob."""
    if isinstance(sym, _Const) or isinstance(sym, _Big):
        value = sym.value
        if isinstance(value, str):
            return "str", value[:16].encode("utf-8", "surrogatepass"), len(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            kind = "bytearray" if id(sym) in bytearrays else "bytes"
            return kind, bytes(value[:16]), len(value)
        return None
    if isinstance(sym, _Bytes):
        start = sym.pos + 9  # BYTEARRAY8: opcode, 8-byte length, data
        return "bytearray", bytes(data[start : start + min(sym.size, 16)]), sym.size
    if (
        isinstance(sym, _Obj)
        and isinstance(sym.cls, _Global)
        and sym.cls.pair in (_BYTEARRAY, _BYTES)
        and sym.state is None
        and isinstance(sym.args, _Tuple)
        and len(sym.args.items) == 1
    ):
        inner = _blob_value(sym.args.items[0], data, bytearrays)
        if inner is not None and inner[0] in ("bytes", "bytearray"):
            return ("bytearray" if sym.cls.pair == _BYTEARRAY else "bytes"), inner[1], inner[2]
    if (
        isinstance(sym, _Obj)
        and isinstance(sym.cls, _Global)
        and sym.cls.pair == _ENCODE
        and sym.state is None
        and isinstance(sym.args, _Tuple)
        and len(sym.args.items) == 2
        and isinstance(sym.args.items[0], (_Const, _Big))
        and isinstance(sym.args.items[1], _Const)
        and sym.args.items[1].value in _LATIN1
        and isinstance(sym.args.items[0].value, str)
    ):
        # protocols 0-2 write bytes as _codecs.encode(text, "latin1"): one byte per character
        # (a character past U+00FF would make the load fail, so the stream shows no blob)
        text = sym.args.items[0].value
        if _NOT_LATIN1.search(text):
            return None
        return "bytes", text[:16].encode("latin-1"), len(text)
    return None


def _blob_problem(rule: NativeState, sym: Any, data: Any, bytearrays: Container[int]) -> str | None:
    found = _blob_value(sym, data, bytearrays)
    where = f"{rule.cls.replace(':', '.')} state[{rule.blob!r}]"
    if found is None:
        return (
            f"{where} is not a literal {rule.kind} model blob in the stream (it is made by a "
            "call or is of another type), so it cannot be checked before the library's native "
            "parser reads it"
        )
    kind, head, size = found
    if rule.kind == "bytes" and kind == "bytearray":
        kind = "bytes"  # CatBoost reads either
    if kind != rule.kind:
        return f"{where} is {kind}, but {rule.cls.partition(':')[0]} writes {rule.kind} here"
    if size < 1 or size > MAX_BLOB:
        return f"{where} holds {size} bytes; a model blob is between 1 byte and {MAX_BLOB}"
    if not any(head.startswith(h) for h in rule.headers):
        wanted = " or ".join(repr(h) for h in rule.headers)
        return (
            f"{where} does not start with {wanted}, the header the library writes; it is not "
            "handed to the native parser"
        )
    # the two readers are imported for their models only (a scan of other files skips them)
    if rule.cls == "xgboost.core:Booster":  # UBJSON counts and trees: safeload.trust.xgboost_ubj
        from safeload.trust.xgboost_model import state_blob_problem

        return state_blob_problem(where, sym, data)
    if rule.cls == "lightgbm.basic:Booster":  # its tree structure: safeload.trust.lightgbm_text
        from safeload.trust import lightgbm_text

        return lightgbm_text.model_text_problem(where, sym)
    return None


def native_state_problem(
    rule: NativeState, state: Any, data: Any, bytearrays: Container[int] = ()
) -> str | None:
    """Why the ``BUILD`` state ``state`` (a symbolic value) of a native-model class is refused
    before the library's parser sees it, or ``None``. ``data`` is the stream (for the head of
    a large bytearray the pass does not keep); ``bytearrays`` the ids of the constants a
    ``BYTEARRAY8`` pushed."""
    name = rule.cls.replace(":", ".")
    if not isinstance(state, _Dict) or state.lossy or state.unknown_keys:
        return (
            f"the state of {name} is not a literal dict with string keys (the library always "
            "writes one), so it cannot be checked before the native parser reads it"
        )
    keys = set(state.items)
    if rule.blob not in keys:
        return f"the state of {name} has no {rule.blob!r} model blob"
    if rule.open_keys:
        bad = sorted(k for k in keys if k in rule.forbidden or not str(k).isidentifier())
        bad = [k for k in bad if k not in rule.keys]
        if bad:
            return (
                f"the state of {name} sets the parameter(s) {', '.join(map(repr, bad))}, which "
                "name paths, logs or streams for the library's native code"
            )
        values = {
            k: (v.value if isinstance(v, _Const) else native_params.UNKNOWN)
            for k, v in state.items.items()
        }
        problem = native_params.catboost_params_problem(values, rule.keys)
        if problem:
            return f"the state of {name} {problem}"
    else:
        extra = sorted(keys - rule.keys)
        if extra:
            return (
                f"the state of {name} holds key(s) {', '.join(map(repr, extra))} that the library "
                "never writes"
            )
    problem = _blob_problem(rule, state.items[rule.blob], data, bytearrays)
    if problem:
        return problem
    missing = rule.required - keys
    if missing:
        return f"the state of {name} lacks {', '.join(sorted(missing))}"
    return None
