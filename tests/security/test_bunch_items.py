"""rt52-03's neighbours: a scikit-learn ``Bunch`` answers attributes with its items, so an item
named like a protocol (``__array_interface__``) answers numpy's array protocol with the file's
numbers (an array at an address the file chose). Both scan and load refuse a Bunch item whose
key starts with ``__`` or is not a constant string, in every way pickle fills a Bunch; honest
Bunches (estimator names) load."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from redteam import assert_scan_predicts_load, dumps_with, global_, parity, prepass_problems


def _voting(protocol: int = 5, joblib: bool = False, key: str | None = None) -> bytes:
    """A fitted VotingClassifier (its ``named_estimators_`` is a Bunch), with the item
    ``key`` added to that Bunch (an array-interface dict) when given."""
    import copyreg

    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier
    from sklearn.utils import Bunch

    X = np.random.RandomState(0).rand(30, 3)
    model = VotingClassifier(
        [("lr", LogisticRegression()), ("dt", DecisionTreeClassifier(max_depth=2))]
    ).fit(X, (X[:, 0] > 0.5).astype(int))
    if key is None:
        return dumps_with(model, lambda o: NotImplemented, protocol, joblib=joblib)
    iface = {"data": (4096, False), "shape": (3,), "typestr": "<f8", "version": 3}

    def reduce(o):
        if type(o) is Bunch:
            return copyreg.__newobj__, (Bunch,), None, None, iter({**o, key: iface}.items())
        return NotImplemented

    return dumps_with(model, reduce, protocol, joblib=joblib)


@pytest.mark.parametrize("protocol", [0, 1, 2, 5])
@pytest.mark.parametrize("joblib", [False, True], ids=["pickle", "joblib"])
def test_honest_bunch_loads(tmp_path, protocol, joblib):
    if joblib and protocol < 2:
        pytest.skip("joblib's pickler writes protocol 2 and up here")
    data = _voting(protocol, joblib)
    assert not prepass_problems(data, joblib=joblib)
    if not joblib:
        assert parity(data, tmp_path) == (True, "loaded")


@pytest.mark.parametrize("key", ["__array_interface__", "__array_struct__", "__array__", "__x"])
@pytest.mark.parametrize("protocol", [2, 5])
def test_bunch_dunder_item_refused(tmp_path, key, protocol):
    from sklearn.utils import Bunch

    data = _voting(protocol, key=key)
    model = pickle.loads(data)  # plain pickle: the Bunch answers the protocol
    assert isinstance(getattr(model.named_estimators_, key), dict)
    assert isinstance(model.named_estimators_, Bunch)
    assert any("Bunch item" in p for p in prepass_problems(data))
    assert_scan_predicts_load(data, tmp_path, refused=True)


def test_bunch_dunder_item_refused_in_joblib(tmp_path):
    data = _voting(4, joblib=True, key="__array_interface__")
    assert any("Bunch item" in p for p in prepass_problems(data, joblib=True))


@pytest.mark.parametrize(
    "state",
    [
        b"}(X\x13\x00\x00\x00__array_interface__K\x01u",  # a dict
        b"]X\x13\x00\x00\x00__array_interface__K\x01\x86a",  # a list of pairs
        b"}(K\x01K\x02u",  # a key that is not a string
    ],
    ids=["dict", "pairs", "int-key"],
)
def test_bunch_reconstructed_with_bad_items(tmp_path, state):
    """Protocols 0-1's form, ``copyreg._reconstructor(Bunch, dict, items)``."""
    data = (
        b"\x80\x02"
        + global_("copyreg", "_reconstructor")
        + b"("
        + global_("sklearn.utils._bunch", "Bunch")
        + global_("builtins", "dict")
        + state
        + b"tR."
    )
    # (items as pairs are refused before the Bunch rule since rt106-08: copyreg writes a dict)
    why = ("Bunch item", "copyreg writes the items as a dict")
    assert any(w in p for p in prepass_problems(data) for w in why)
    assert_scan_predicts_load(data, tmp_path, refused=True)


def test_bunch_item_with_computed_key_refused(tmp_path):
    """A key made by a call (``str('__array__')`` is refused on its own; a tuple key stands
    for any key the pass cannot read as a constant string)."""
    data = b"\x80\x02" + global_("sklearn.utils._bunch", "Bunch") + b")\x81K\x01K\x02\x86K\x03s."
    assert any("Bunch item" in p for p in prepass_problems(data))
    assert_scan_predicts_load(data, tmp_path, refused=True)
