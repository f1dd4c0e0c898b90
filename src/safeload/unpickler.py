"""The restricted unpicklers, by their first address: they live in :mod:`safeload.pickle` now.

:mod:`safeload.pickle.guard` (the static refusal and ``find_class``),
:mod:`safeload.pickle.unpickler` (plain pickle streams), :mod:`safeload.pickle.joblib_stream`
(joblib streams), :mod:`safeload.pickle.narrowed` (narrowed builtins) and
:mod:`safeload.pickle.advice` (refusal messages). ``from safeload.unpickler import X`` keeps
working for every name other code imported from here.
"""

from __future__ import annotations

from safeload.pickle.advice import untrusted_error
from safeload.pickle.guard import JoblibContentError as JoblibContentError
from safeload.pickle.guard import _Guard as _Guard
from safeload.pickle.joblib_stream import _ArrayRegions as _ArrayRegions
from safeload.pickle.joblib_stream import load_joblib_stream
from safeload.pickle.narrowed import _NARROWED as _NARROWED
from safeload.pickle.narrowed import _NARROWED_BUILTINS as _NARROWED_BUILTINS
from safeload.pickle.narrowed import container_args_problem as container_args_problem
from safeload.pickle.unpickler import _CUnpickler as _CUnpickler
from safeload.pickle.unpickler import _ViewReader as _ViewReader
from safeload.pickle.unpickler import analyse_stream, load_pickle_stream

__all__ = ["analyse_stream", "load_joblib_stream", "load_pickle_stream", "untrusted_error"]
