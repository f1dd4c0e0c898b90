"""Reading pickle and joblib streams under a policy: the one place that touches :mod:`pickle`.

Every stream is first analysed statically (:mod:`safeload.scan`, which is compiled and still
lives beside this package); only then does a restricted unpickler run. One module each:
:mod:`~safeload.pickle.guard` (the static refusal, then ``find_class``),
:mod:`~safeload.pickle.unpickler` (plain pickle streams), :mod:`~safeload.pickle.joblib_stream`
(joblib's inline arrays), :mod:`~safeload.pickle.narrowed` (builtins handed out narrowed) and
:mod:`~safeload.pickle.advice` (the refusal messages). Importing the package imports none of
them.
"""
