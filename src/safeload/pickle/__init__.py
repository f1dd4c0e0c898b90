"""Reading pickle and joblib streams under a policy: the one place that touches :mod:`pickle`.

Every stream is first analysed statically; only then does a restricted unpickler run.

The static pass (compiled with mypyc, see setup.py): :mod:`~safeload.pickle.walker`
(:func:`~safeload.pickle.walker.analyze` and the handler table), built up from
:mod:`~safeload.pickle.walk_base` (one walk's state, its budget and the checks at its end),
:mod:`~safeload.pickle.walk_stream` (the opcode loop and the memo),
:mod:`~safeload.pickle.walk_values` (containers), :mod:`~safeload.pickle.walk_calls` (calls)
and :mod:`~safeload.pickle.walk_build` (BUILD and joblib's inline arrays); the rules they
apply, each a function tested on its own, in :mod:`~safeload.pickle.state_rules` and
:mod:`~safeload.pickle.call_rules`; what values cost against the stream's budget in
:mod:`~safeload.pickle.costs`; the names they treat specially in
:mod:`~safeload.pickle.names`; arrays and trees read from the stream in
:mod:`~safeload.pickle.stream_arrays`; the results in :mod:`~safeload.pickle.analysis`.

The loaders: :mod:`~safeload.pickle.guard` (the static refusal, then ``find_class``),
:mod:`~safeload.pickle.unpickler` (plain pickle streams), :mod:`~safeload.pickle.joblib_stream`
(joblib's inline arrays), :mod:`~safeload.pickle.narrowed` (builtins handed out narrowed) and
:mod:`~safeload.pickle.advice` (the refusal messages). Importing the package imports none of
them.
"""
