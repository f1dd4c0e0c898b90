"""What every build-time check shares: the error a failed check raises and the array type."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

#: numpy 2.2's stubs (the newest numpy on Python 3.10) require ndarray's type arguments.
Array = npt.NDArray[Any]


#: Most features a decision tree may say it was fitted on. ``feature_importances_`` and the
#: partial-dependence helpers allocate one float per feature, so without a cap a small file could
#: ask for gigabytes with one integer (r15-12); 16 777 216 columns is far beyond any tree fitted
#: on dense data (and beyond ``HashingVectorizer``'s default of 2**20).
MAX_TREE_FEATURES = 2**24


class Bad(Exception):
    pass


def require(cond: Any, what: str) -> None:
    if not bool(cond):
        raise Bad(what)


#: Most objects a walk of a loaded model visits (and the longest chain a check follows).
MAX_OBJECTS = 50_000_000


def is_int(value: Any) -> bool:
    """A Python or numpy integer, not a bool."""
    return type(value) is not bool and isinstance(value, (int, np.integer))
