"""One bound for the whole model on what ``get_feature_names_out`` may write.

Every transformer names its output columns from its input's names: a scaler passes them on, a
one-hot encoder writes ``{name}_{category}`` per category, a target encoder one name per feature
and class, ``PolynomialFeatures`` joins up to ``degree`` of them per output (and builds its
``powers_`` matrix, outputs x features ints, on the way), a column transformer or union prefixes
every name of its branches with the branch's name or its template. A pipeline feeds each step's
names to the next, so a name written by one step is repeated by every later one.

Per-class bounds missed the products: 1,024-character names times 100,000 one-byte classes
(rt33-07), names from another step times one-byte categories (rt33-08), a template's text times
2**20 unpaid pass-through columns (rt33-05), outputs times long names (rt33-13), many estimators
"paid for" by one shared array (rt33-15), ``powers_`` of an honest 262-byte file (rt32-10).
This module bounds their sum instead, on the instances a load built (or scan's shadows of them),
reading only their own attributes: the names every estimator may write, each at most as long as
the longest name the model can make (its longest stored name, plus every prefix and suffix any
step adds, times every polynomial join), twice (a composite holds its branches' names while it
writes its own), plus the ``powers_`` matrices, may not pass :data:`MAX_NAME_BYTES` or, if
more, :data:`NAME_SPREAD` times the bytes of the arrays the model stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from safeload.trust.shadow_values import class_of
from safeload.trust.structures.common import is_int, root_array

__all__ = ["MAX_NAME_BYTES", "NAME_SPREAD", "NameLedger", "own_arrays"]

#: The most bytes ``get_feature_names_out`` may cost for any model (512 MiB), whatever it stores.
MAX_NAME_BYTES = 2**29
#: Past :data:`MAX_NAME_BYTES`, names may cost this many times the bytes of the model's arrays.
NAME_SPREAD = 64
#: What one Python ``str`` costs beyond its characters (CPython's compact ASCII header).
_STR_OVERHEAD = 56
#: Characters a number written into a name may take (``repr`` of a float64, a category or a
#: class label), and a class-prefix name (``"randomtreesembedding123"``).
_NUMBER_CHARS = 32
_PREFIX_NAME_CHARS = 64

#: Every class that defines ``get_feature_names_out`` in scikit-learn 1.9, with how this module
#: counts its names (a test holds this table to the installed scikit-learn): ``input`` names
#: from the input's (at most ``n_features_in_``, or twice that with missing indicators),
#: ``prefix`` from ``_n_features_out``, the others below by name.
NAME_MAKERS: dict[str, str] = {
    "sklearn.base:ClassNamePrefixFeaturesOutMixin": "prefix",
    "sklearn.base:OneToOneFeatureMixin": "input",
    "sklearn.compose._column_transformer:ColumnTransformer": "composite",
    "sklearn.ensemble._forest:RandomTreesEmbedding": "its one-hot encoder's",
    "sklearn.ensemble._stacking:_BaseStacking": "stacking",
    "sklearn.ensemble._voting:VotingClassifier": "voting",
    "sklearn.ensemble._voting:VotingRegressor": "voting",
    "sklearn.feature_extraction._dict_vectorizer:DictVectorizer": "keys",
    "sklearn.feature_extraction.text:CountVectorizer": "keys",
    "sklearn.feature_selection._base:SelectorMixin": "input",
    "sklearn.impute._base:MissingIndicator": "input",
    "sklearn.impute._base:SimpleImputer": "input twice",
    "sklearn.impute._knn:KNNImputer": "input twice",
    "sklearn.impute._iterative:IterativeImputer": "input twice",  # (experimental)
    "sklearn.isotonic:IsotonicRegression": "prefix",
    "sklearn.kernel_approximation:AdditiveChi2Sampler": "chi2",
    "sklearn.pipeline:FeatureUnion": "composite",
    "sklearn.pipeline:Pipeline": "its last step's",
    "sklearn.preprocessing._discretization:KBinsDiscretizer": "its one-hot encoder's",
    "sklearn.preprocessing._encoders:OneHotEncoder": "one-hot",
    "sklearn.preprocessing._function_transformer:FunctionTransformer": "input",
    "sklearn.preprocessing._polynomial:PolynomialFeatures": "polynomial",
    "sklearn.preprocessing._polynomial:SplineTransformer": "n_features_out_",
    "sklearn.preprocessing._target_encoder:TargetEncoder": "input times classes",
}

_ONE_HOT = "sklearn.preprocessing._encoders:OneHotEncoder"
_TARGET = "sklearn.preprocessing._target_encoder:TargetEncoder"
_POLY = "sklearn.preprocessing._polynomial:PolynomialFeatures"
_SPLINE = "sklearn.preprocessing._polynomial:SplineTransformer"
_MISSING = "sklearn.impute._base:MissingIndicator"
_COLUMNS = "sklearn.compose._column_transformer:ColumnTransformer"
_UNION = "sklearn.pipeline:FeatureUnion"
_PIPELINE = "sklearn.pipeline:Pipeline"
_VECTORIZERS = frozenset(key for key, how in NAME_MAKERS.items() if how == "keys")
_VOTING = frozenset(key for key, how in NAME_MAKERS.items() if how == "voting")
_STACKING = "sklearn.ensemble._stacking:_BaseStacking"
_CHI2 = "sklearn.kernel_approximation:AdditiveChi2Sampler"
_IMPUTERS = frozenset(key for key, how in NAME_MAKERS.items() if how == "input twice")
#: The longest text a name may quote from a value that is neither a str nor a number (a path,
#: a decimal): :func:`_text_length` measures it, up to this.
_MAX_QUOTED = 1 << 20


def _steps(entries: Any) -> list[Any]:
    """The estimators of a pipeline's ``steps`` or a composite's ``(name, estimator, ...)``
    entries (fewer than 100,000; anything else is no entry)."""
    if type(entries) not in (list, tuple) or len(entries) >= 100_000:
        return []
    return [e[1] for e in entries if type(e) in (list, tuple) and len(e) >= 2]


def _mro(cls: Any) -> frozenset[str]:
    """``module:qualname`` of the class and its bases, for a class or its facts."""
    found = getattr(cls, "mro_set", None)  # ClassFacts (a scan on facts)
    if isinstance(found, frozenset):
        return found
    if isinstance(cls, type):
        from safeload.trust.classes import mro_names

        return mro_names(cls)
    return frozenset()


def class_names(obj: Any) -> frozenset[str]:
    """``module:qualname`` of the class of ``obj`` (a built object or a shadow) and its bases."""
    return _mro(class_of(obj))


def _attrs(obj: Any) -> dict[str, Any]:
    from safeload.trust.structures.widths import _has_dict

    found = vars(obj) if _has_dict(obj) else {}
    return found if type(found) is dict else {}


def own_arrays(
    attrs: dict[str, Any], lists: dict[Any, tuple[Any, dict[int, Any]]] | None = None
) -> dict[int, Any]:
    """The root arrays (by id) of the arrays among ``attrs``' values, or inside a list or
    tuple of them up to two levels deep (of fewer than 100,000 items each): what an
    estimator stores of its own. ``lists`` keeps what each list or tuple gave at each level
    (by id and level, the container kept alive with it), here and for the caller's next
    estimators: one list of 50,000 floats shared by 60 stumps was read 60 times (rt74-07),
    and one list of 100,000 floats held 1,000 times by one tuple, 1,000 times (rt75-02)."""
    direct, groups = own_array_groups(attrs, {} if lists is None else lists)
    for group in groups:
        direct.update(group)
    return direct


def own_array_groups(
    attrs: dict[str, Any], lists: dict[Any, tuple[Any, dict[int, Any]]]
) -> tuple[dict[int, Any], list[dict[int, Any]]]:
    """:func:`own_arrays` in parts: the roots of the arrays among ``attrs``' values (a new
    dict), and the roots of each list or tuple among them, once however many attributes hold
    it (rt78-06), as ``lists`` keeps them: the same dict wherever the container is held, so
    that a caller adds a container many estimators hold once (one list of 12,000 arrays in
    1,000 estimators was merged 1,000 times, rt79-02)."""
    direct: dict[int, Any] = {}
    groups: list[dict[int, Any]] = []
    held: set[int] = set()
    for item in attrs.values():
        if type(item) in (list, tuple):
            if id(item) not in held and len(item) < 100_000:
                held.add(id(item))
                groups.append(_known_roots(item, 0, lists))
        else:
            _collect_roots(item, direct, 0, lists)
    return direct, groups


#: Native classes whose instances hold the arrays a method walks in their pickled state, not
#: a ``__dict__``: a decision tree's nodes and values (``__getstate__`` makes a dict of fresh
#: views of the tree's own copy), a neighbours tree's samples, index and node arrays (a tuple
#: of the arrays it was given).
NATIVE_STATE_HOLDERS = frozenset(
    {
        ("sklearn.tree._tree", "Tree"),
        ("sklearn.neighbors._kd_tree", "KDTree"),
        ("sklearn.neighbors._ball_tree", "BallTree"),
    }
)


def native_arrays(obj: Any) -> dict[int, Any]:
    """The arrays an instance of :data:`NATIVE_STATE_HOLDERS` walks, which it holds natively
    (no ``__dict__``, so :func:`own_arrays` finds nothing): 120 distinct tree wrappers over one
    deep ``Tree`` walked it 120 times a row (rt60-03), 120 KNNs over one KD tree searched it
    120 times (rt60-06), and the whole-model bound counted nothing. Read from
    ``__getstate__`` (the real object's, or a scan's shadow's state). A decision tree copies its
    arrays into memory of its own and gives fresh views of it, so its two are keyed by the
    tree's negated id, which no array's id can be; a neighbours tree keeps the arrays it was
    given, keyed by their roots as :func:`own_arrays` keys them."""
    from safeload.trust.facts import module_and_name
    from safeload.trust.shadow_values import class_of

    name = module_and_name(class_of(obj))
    if name not in NATIVE_STATE_HOLDERS:
        return {}
    state = obj.__getstate__()
    found: dict[int, Any] = {}
    if name == ("sklearn.tree._tree", "Tree"):
        if type(state) is dict:
            for offset, key in enumerate(("nodes", "values")):
                value = state.get(key)
                if issubclass(type(value), np.ndarray):
                    found[-2 * id(obj) - offset] = value
        return found
    if type(state) is tuple:
        for value in state:
            _collect_roots(value, found, 2, {})
    return found


def _collect_items(
    items: Any, roots: dict[int, Any], depth: int, lists: dict[Any, tuple[Any, dict[int, Any]]]
) -> None:
    """:func:`_collect_roots` of each of ``items``, a list or tuple among them merged once
    however often it is held."""
    merged: set[int] = set()
    for item in items:
        if type(item) in (list, tuple):
            if id(item) in merged:
                continue
            merged.add(id(item))
        _collect_roots(item, roots, depth, lists)


def _collect_roots(
    value: Any, roots: dict[int, Any], depth: int, lists: dict[Any, tuple[Any, dict[int, Any]]]
) -> None:
    # type(), not isinstance: a value scan cannot see is not counted (which only lowers
    # the bound), where isinstance would raise on it
    if issubclass(type(value), np.ndarray):
        root = root_array(value)
        roots[id(root)] = root
    elif type(value) in (list, tuple) and depth < 2 and len(value) < 100_000:
        roots.update(_known_roots(value, depth, lists))


def _known_roots(
    value: Any, depth: int, lists: dict[Any, tuple[Any, dict[int, Any]]]
) -> dict[int, Any]:
    """The roots the list or tuple ``value`` holds at ``depth``, read once (``lists``)."""
    known = lists.get((id(value), depth))
    if known is None:
        found: dict[int, Any] = {}
        # (a list held many times merges once: rt77-09)
        _collect_items(value, found, depth + 1, lists)
        known = (value, found)
        lists[(id(value), depth)] = known
    return known[1]


def _count(value: Any) -> int:
    """A stored count as scikit-learn would use it (``range``/``arange`` take floats too), or 0
    for what no method could count with."""
    if is_int(value):
        return max(int(value), 0)
    if isinstance(value, (float, np.floating)) and np.isfinite(value):
        return max(int(value), 0)
    return 0


def _largest_dimension(attrs: dict[str, Any]) -> int:
    """The largest dimension of any array among ``attrs``' values."""
    dims = [max(v.shape, default=0) for v in attrs.values() if issubclass(type(v), np.ndarray)]
    return max(dims, default=0)


def _size(values: Any) -> int:
    """How many items iterating ``values`` gives (an array's or a list's), else 0."""
    if issubclass(type(values), np.ndarray):
        return int(values.size)
    if type(values) in (list, tuple, range, dict, set, frozenset, str, type({}.keys())):
        try:  # a range iterates as far as it says (rt35-08)
            return len(values)
        except OverflowError:
            return 2**63
    if values is None:
        return 0
    # fail closed: a container this module cannot count is refused, not counted as empty
    raise TypeError(f"cannot count the items of a {type(values).__name__}")


#: Standard-library value types whose text a name quotes, measured by formatting them (real
#: objects in a load and in scan alike).
_MEASURED_MODULES = frozenset({"decimal", "pathlib", "pathlib._local", "datetime", "uuid"})


def _text_length(item: Any) -> int:
    """How many characters ``f"{item}"`` writes: exact for text and ints (at most 4,300 digits,
    Python's limit), a fixed bound for other numbers; a standard-library value (a path, a
    decimal, a date: real objects in a load and in scan alike) is measured; anything else, a
    shadow scan cannot format, counts as :data:`_MAX_QUOTED` (fail closed: the bound refuses
    it where it matters)."""
    kind = type(item)
    if kind is str or kind is bytes or isinstance(item, (str, bytes)):
        return len(item)
    if kind is int or isinstance(item, (np.integer, bool, np.bool_)):
        return len(str(int(item)))
    if item is None or isinstance(item, (float, np.floating, complex, np.complexfloating)):
        return _NUMBER_CHARS
    if kind.__module__ in _MEASURED_MODULES:
        return min(len(str(item)), _MAX_QUOTED)
    return _MAX_QUOTED


def _char_bytes(item: Any) -> int:
    """The bytes per character of the ``str`` CPython makes to hold ``item``'s text with
    others: 1 up to U+00FF, 2 up to U+FFFF, 4 past it (one character decides for the whole
    name it is written into, rt36-04)."""
    if not isinstance(item, str):
        if type(item).__module__ not in _MEASURED_MODULES:
            return 1  # numbers and the repr of bytes are ASCII
        item = str(item)
    if not item or item.isascii():
        return 1
    widest = ord(max(item))
    return 1 if widest <= 0xFF else 2 if widest <= 0xFFFF else 4


def _name_items(values: Any) -> list[Any] | None:
    """The items of an array, list or other iterable of names whose text is written into
    names, or ``None`` for numbers (an array of them: at most :data:`_NUMBER_CHARS` each)."""
    if issubclass(type(values), np.ndarray):
        return values.ravel().tolist() if values.dtype.kind in "OUS" else None
    if type(values) is range:
        return [values.start, values.stop]
    if type(values) in (list, tuple, set, frozenset) or type(values) is type({}.keys()):
        return list(values)
    if values is None:
        return []
    raise TypeError(f"cannot measure the names in a {type(values).__name__}")


def _branch_names(entries: Any) -> list[str]:
    if type(entries) not in (list, tuple):
        return []
    return [e[0] for e in entries if type(e) in (list, tuple) and len(e) >= 2 and type(e[0]) is str]


class NameLedger:
    """The names bound (see the module's docstring), added up over the instances the model
    holds (what a load's walk reaches, or scan's shadows reachable from the stream's result:
    the same attributes are read from both), each as often as a recursive method meets it: a
    union listing one encoder as 20 branches writes its names 20 times (rt35-10).
    :func:`safeload.trust.object_checks.whole_model_problem` feeds it."""

    def __init__(self) -> None:
        self.names = 0  # names written, summed over the estimators
        self.longest = 0  # the longest stored or generated base name
        self.affixes = 0  # characters steps add to a name, summed over the model
        self.polys: dict[int, tuple[int, int]] = {}  # a polynomial's id: (joins, times met)
        self.composites: list[tuple[Any, int]] = []  # column transformers, unions; times met
        self.matrices = 0  # bytes of powers_ matrices
        self.stored = 0  # bytes of the model's arrays, each memory once
        self.char_bytes = 1  # bytes per character of the widest text the names may hold
        self.seen: set[int] = set()
        self.groups: dict[int, dict[int, Any]] = {}  # own_array_groups' groups counted

    def text(self, values: Any) -> int:
        """The longest ``str()`` of ``values`` (an array, list or other iterable of names),
        noting how wide their characters are."""
        items = _name_items(values)
        if items is None:
            return _NUMBER_CHARS
        for item in items:
            if self.char_bytes < 4:
                self.char_bytes = max(self.char_bytes, _char_bytes(item))
        return max((_text_length(item) for item in items), default=0)

    def add(
        self,
        obj: Any,
        times: int = 1,
        attrs: dict[str, Any] | None = None,
        roots: dict[int, Any] | None = None,
        groups: Sequence[dict[int, Any]] = (),
    ) -> int:
        """Count what ``obj`` (met ``times`` times) may name and the arrays it stores
        (``attrs`` and ``roots`` as :func:`_attrs` and :func:`own_arrays` give them, when
        the caller has them already; or ``roots`` and ``groups`` as
        :func:`own_array_groups` gives them, each group read once for the whole model).
        Returns the names it writes each time it is met: its output columns."""
        mro = _mro(class_of(obj))
        if not any(name.startswith("sklearn.") for name in mro):
            return 0  # (arrays held elsewhere, a sparse matrix's, count as nothing: scan
            # builds those for real and a load walks them, so only estimators' own arrays agree)
        if attrs is None:
            attrs = _attrs(obj)
        for group in (own_arrays(attrs) if roots is None else roots, *groups):
            if group is not roots and roots is not None:
                if id(group) in self.groups:
                    continue
                self.groups[id(group)] = group
            for key, root in group.items():
                if key not in self.seen:
                    self.seen.add(key)
                    self.stored += int(root.nbytes)
        n_in = _count(attrs.get("n_features_in_"))
        names = attrs.get("feature_names_in_")
        if _size(names):  # an array, or a list or tuple: scikit-learn uses it as it is (rt35-05)
            n_in = max(n_in, _size(names))
            self.longest = max(self.longest, self.text(names))
        elif n_in:
            self.longest = max(self.longest, len(f"x{n_in - 1}"))
        if not mro.isdisjoint(_VECTORIZERS):
            # its names are its vocabulary's keys, stored (an array of references); a later
            # step repeats them, so they count as names as long as the longest (rt34-04)
            keys = attrs.get("vocabulary_")
            keys = keys.keys() if type(keys) is dict else attrs.get("feature_names_")
            self.longest = max(self.longest, self.text(keys))
            # ... and each is written again by every composite above it, with the branch's
            # prefix: a union listing one vectorizer as 80 branches (rt36-05)
            self.names += _size(keys) * times
            return _size(keys)
        count = max(n_in, _count(attrs.get("n_features_out_")))
        if not mro.isdisjoint(_IMPUTERS):
            count = 2 * n_in  # the kept features, then one indicator each
            self.affixes += len("missingindicator_")
        if not mro.isdisjoint(_VOTING) or _STACKING in mro:
            count = max(count, self._ensemble(attrs, mro))
        if _CHI2 in mro:
            steps = _count(attrs.get("sample_steps"))
            count = max(count, n_in * max(1, 2 * steps - 1))
            self.affixes += len("additivechi2sampler__sin") + len(str(steps))
        n_out = _count(attrs.get("_n_features_out"))
        if "sklearn.base:ClassNamePrefixFeaturesOutMixin" in mro:
            # PCA, NMF, LDA and the like compute _n_features_out as a property: a dimension
            # of a fitted array (components_.shape[0]), empty ones included (rt35-03)
            # (PolynomialCountSketch's is its n_components parameter, rt35-11)
            n_out = max(n_out, _largest_dimension(attrs), _count(attrs.get("n_components")))
        if n_out:
            count = max(count, n_out)
            self.longest = max(self.longest, _PREFIX_NAME_CHARS)
        categories = attrs.get("categories_")
        if type(categories) is list and _ONE_HOT in mro:
            count = max(count, sum(int(np.size(c)) for c in categories))
            self.affixes += 1 + max((self.text(c) for c in categories), default=0)
        target = attrs.get("target_type_")
        if _TARGET in mro and target is not None and type(target) is not str:
            # scikit-learn compares it with a str: an array made that an error (rt35-07)
            raise TypeError("TargetEncoder's target_type_ is not a str")
        if _TARGET in mro and target == "multiclass":
            classes = attrs.get("classes_")  # iterated whatever it is: a list too (rt34-10)
            count = max(count, n_in * _size(classes))
            self.affixes += 1 + self.text(classes)
        if _POLY in mro:
            self._polynomial(obj, attrs, n_in, times)
            count = max(count, _count(attrs.get("n_output_features_")))
        if _SPLINE in mro:
            self.affixes += 4 + _NUMBER_CHARS  # "_sp_12"
        if _MISSING in mro:
            self.affixes += len("missingindicator_")
        if _COLUMNS in mro or _UNION in mro:
            count = max(count, self._composite(obj, attrs, mro))
            self.composites.append((obj, times))
        self.names += count * times
        return count

    def _ensemble(self, attrs: dict[str, Any], mro: frozenset[str]) -> int:
        """Voting and stacking name their outputs after their estimators: one per estimator
        and class (soft voting), or as many as each estimator outputs (``_n_feature_outs``),
        prefixed with the class's and the estimator's names (rt34-01, rt34-02)."""
        entries = attrs.get("estimators")
        labels = _branch_names(entries)
        self.longest = max(self.longest, _PREFIX_NAME_CHARS + self.text(labels))
        if _STACKING in mro:
            outs: Any = attrs.get("_n_feature_outs")
            # zipped with the estimators whatever it is: a range too (rt35-09)
            if issubclass(type(outs), np.ndarray) and outs.ndim == 1:
                outs = outs.tolist()  # an array zips as well (rt35-09)
            if outs is not None and not (type(outs) in (list, tuple, range) and len(outs) < 2**20):
                raise TypeError("_n_feature_outs is not a list of counts")
            outs = list(outs or ())
            return sum(max(1, _count(n)) for n in outs)
        return len(labels) * max(1, _size(attrs.get("classes_")))

    def _polynomial(self, obj: Any, attrs: dict[str, Any], n_in: int, times: int) -> None:
        """Each output name joins up to ``degree`` input names (``"x0^2 x1"``), and ``powers_``
        stacks one int64 row of ``n_features_in_`` per output."""
        degree = attrs.get("_max_degree", attrs.get("degree"))
        if type(degree) is tuple and degree:
            degree = degree[-1]
        most = _count(degree)
        self.polys[id(obj)] = (max(1, min(most, n_in)), times)
        self.affixes += 2 + len(str(most))  # "^" + power + " "
        self.matrices += 8 * _count(attrs.get("n_output_features_")) * n_in

    def _composite(self, obj: Any, attrs: dict[str, Any], mro: frozenset[str]) -> int:
        """A column transformer or union: every branch's names get a prefix, and its
        pass-through branches write names of their own (its input's)."""
        from safeload.trust.structures.widths import _is_identity

        if _UNION in mro:
            entries: Any = attrs.get("transformer_list")
        else:
            entries = attrs.get("transformers_", attrs.get("transformers"))
        labels = _branch_names(entries)
        longest_label = self.text(labels)
        template = attrs.get("verbose_feature_names_out")
        if type(template) is str:
            self.text([template])
            self.affixes += len(template) + longest_label
        elif template is not False:
            self.affixes += 2 + longest_label
        if type(entries) not in (list, tuple):
            return 0
        branches = [e[1] for e in entries if type(e) in (list, tuple) and len(e) >= 2]
        widths = [_count(attrs.get("n_features_in_"))]
        widths += [_count(_attrs(b).get("n_features_in_")) for b in branches]
        identities = sum(1 for branch in branches if _is_identity(branch))
        return identities * max(widths)

    def joins(self) -> int:
        """How many input names one generated name may join: the product of the polynomial
        expansions a name can pass through one after another. Branches of one column
        transformer or union are side by side, not one after another: a name passes through one
        of them, so a composite multiplies by its widest branch's product, not all of them (16
        PolynomialFeatures(2) over column groups were 2**16 joins, rt58-10). A polynomial or
        composite met more than once, or not reached through one composite's branches and
        pipeline steps, is multiplied in as if in a chain with every other."""
        reached: dict[int, int] = {}  # id: times reached inside another composite's branches

        def through(obj: Any, depth: int) -> int:
            if depth > 64:
                raise ValueError("composites nested more than 64 deep")
            mro = _mro(class_of(obj))
            if depth:
                reached[id(obj)] = reached.get(id(obj), 0) + 1
            if _POLY in mro:
                return self.polys[id(obj)][0] if id(obj) in self.polys else 1
            attrs = _attrs(obj)
            if _PIPELINE in mro:
                product = 1
                for step in _steps(attrs.get("steps")):
                    product *= through(step, depth + 1)
                return product
            if _COLUMNS in mro or _UNION in mro:
                key = "transformer_list" if _UNION in mro else "transformers_"
                entries = attrs.get(key, attrs.get("transformers"))
                return max((through(b, depth + 1) for b in _steps(entries)), default=1)
            return 1

        def counted(key: int, times: int) -> bool:
            return not (reached.get(key, 0) == 1 and times == 1)

        for composite, _times in self.composites:  # which composites sit inside another's
            through(composite, 0)
        roots = [(c, times) for c, times in self.composites if counted(id(c), times)]
        reached.clear()
        product = 1
        for composite, _times in roots:
            product *= through(composite, 0)
        for key, (join, times) in self.polys.items():
            if counted(key, times):
                product *= join
        return product

    def problem(self, file_size: int | None) -> str | None:
        """Why the names counted are refused, or ``None``. The allowance past
        :data:`MAX_NAME_BYTES` is paid by the model's arrays, but never beyond the file's own
        size (``file_size``, compressed as it is stored: a bz2 file of zeros decompressing to
        300 MB bought a 19 GB allowance, rt34-08)."""
        chars = (self.longest + self.affixes) * self.joins()
        each = _STR_OVERHEAD + chars * self.char_bytes
        cost = 2 * self.names * each + self.matrices
        paid = self.stored if file_size is None else min(self.stored, file_size)
        bound = max(MAX_NAME_BYTES, NAME_SPREAD * paid)
        if cost <= bound:
            return None
        return (
            f"get_feature_names_out could write {self.names:,} names of up to "
            f"{chars:,} characters ({cost:,} bytes with the polynomial "
            f"powers_), more than {bound:,}: past {MAX_NAME_BYTES:,} bytes, names may cost "
            f"{NAME_SPREAD} times what the model's arrays store"
        )
