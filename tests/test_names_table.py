"""The whole-model names bound (safeload.trust.structures.names) counts the names of every class
that defines ``get_feature_names_out``: its table must list each one the installed scikit-learn
has, so a new name maker is counted before a model of it can load."""

from __future__ import annotations

from sklearn.utils import all_estimators

from safeload.trust.structures.names import NAME_MAKERS


def test_every_get_feature_names_out_owner_is_counted() -> None:
    owners = set()
    for _name, cls in all_estimators():
        for base in cls.__mro__:
            if "get_feature_names_out" in vars(base):
                owners.add(f"{base.__module__}:{base.__qualname__}")
                break
    assert owners, "scikit-learn lists no estimator with get_feature_names_out"
    missing = sorted(owners - set(NAME_MAKERS))
    assert not missing, f"name makers names.py does not count: {missing}"
