"""The default allowlist data (provisional minimal list; the full list is being built)."""

from __future__ import annotations


def default_entries() -> dict[tuple[str, str], str]:
    """Every ``(module, qualname)`` trusted by default, mapped to the reason."""
    entries: dict[tuple[str, str], str] = {}
    for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
        entries[(mod, "_reconstruct")] = "rebuilds an ndarray from shape/dtype; no I/O"
        entries[(mod, "scalar")] = "rebuilds a numpy scalar from its bytes"
    entries[("numpy", "ndarray")] = "the array type itself"
    entries[("numpy", "dtype")] = "dtype constructor from a type string"
    entries[("joblib.numpy_pickle", "NumpyArrayWrapper")] = (
        "joblib placeholder for inline array data; subclass pinned to ndarray on load"
    )
    for name in ("LinearRegression",):
        entries[("sklearn.linear_model._base", name)] = "scikit-learn estimator"
    for name in ("KNeighborsClassifier",):
        entries[("sklearn.neighbors._classification", name)] = "scikit-learn estimator"
    for b in ("list", "dict", "set", "frozenset", "tuple", "bytearray", "complex", "slice"):
        entries[("builtins", b)] = "builtin container/value type"
    entries[("_codecs", "encode")] = "protocol 2 encodes bytes via _codecs.encode(str, 'latin1')"
    entries[("copyreg", "_reconstructor")] = "protocol 0-1 object rebuild via object.__new__"
    return entries
