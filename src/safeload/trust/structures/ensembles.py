"""The estimators that hold decision trees: a single tree estimator, forests (their trees' width,
outputs and bootstrap count), bagging and gradient boosting (its ``init_`` estimator)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from safeload.trust.shadow_values import class_of, sklearn_name
from safeload.trust.structures.common import Array, is_int, require


def tree_features(est: Any) -> int | None:
    tree = getattr(est, "tree_", None)
    return None if tree is None else int(tree.n_features)


def check_tree_estimator(est: Any, context: Any) -> None:
    """A decision tree's native predict indexes the input's columns with the stored feature
    indices: its Tree must have been fitted on as many features as the estimator accepts, and
    the estimator must say how many that is (without ``n_features_in_`` scikit-learn skips the
    input's column check)."""
    n_in: Any = getattr(est, "n_features_in_", None)
    features = tree_features(est)
    if features is not None:
        require(n_in is not None, "a fitted tree without n_features_in_")
        require(features == int(n_in), "tree n_features disagrees with n_features_in_")
    n_out = getattr(est, "n_outputs_", None)
    if n_out is not None and features is not None:
        require(int(est.tree_.n_outputs) == int(n_out), "tree n_outputs disagrees")


def check_forest(est: Any, context: Any) -> None:
    """Forests pass the validated input to every tree with ``check_input=False``."""
    n_in: Any = getattr(est, "n_features_in_", None)
    trees: Any = getattr(est, "estimators_", None)
    if trees is None:
        return
    require(n_in is not None, "a fitted forest without n_features_in_")
    for tree in trees:
        features = tree_features(tree)
        require(features in (None, int(n_in)), "forest tree n_features disagrees with the forest")
    _check_forest_outputs(est, trees)
    _check_bootstrap_count(est)


def _check_bootstrap_count(est: Any) -> None:
    """``estimators_samples_`` (and a notebook's display of the forest, whose table of fitted
    attributes reads every property) draws ``_n_samples_bootstrap`` indexes per tree, which
    fitting derives from ``max_samples`` (rt31-03); see :func:`check_draw_count`."""
    attrs = vars(est)
    drawn = attrs.get("_n_samples_bootstrap")
    if drawn is not None:
        check_draw_count(drawn, attrs.get("_n_samples"), attrs.get("max_samples"), "forest")
    # (the larger count, whatever ``bootstrap`` holds: scikit-learn draws the bootstrap count
    # when it is truthy, numpy's True too, rt81-06)
    for per_tree in (drawn, attrs.get("_n_samples")):
        if per_tree is not None:
            require(is_int(per_tree) and int(per_tree) >= 1, "forest sample count is not positive")
            check_drawn_total(getattr(est, "estimators_", None), int(per_tree), "forest")
    weights = attrs.get("_sample_weight")
    if weights is not None and drawn is not None:
        # (fit's sample or class weights: each tree's bootstrap is a weighted draw, rt83-12;
        # counted whatever ``bootstrap`` holds, as the counts above)
        population = check_sample_weight(weights, attrs.get("_n_samples"), "forest")
        trees = getattr(est, "estimators_", None)
        check_weighted_draws(trees, int(drawn), population, 1, "forest")


#: The sample indexes a bagging model or forest's ``estimators_samples_`` may draw over all
#: its members (a notebook's display of the model reads that property): 2**26, 512 MiB of
#: int64 indexes, which the property holds all at once (a forest's int32 copy of a tree's
#: adds half of one: some 768 MB for a forest of one tree at the bound, 384 MB measured at
#: 2**25), 100 trees over 671,000 rows, 500 over 134,000. 2**27 held 1 GiB (rt83-10). The
#: counts are numbers in the file that nothing else in it proves: a tree's root sample count
#: is one too (rt80-02).
MAX_DRAWS = 1 << 26

#: Nanoseconds (one core here) that ``estimators_samples_`` may spend on weighted draws over
#: all members: ``RandomState.choice(n, k, p=...)`` (a forest's or bagging's draws when fit
#: was given sample weights or class weights) normalizes and sums the n weights, then finds
#: each draw in their cumsum by a binary search of random reads; without replacement it does
#: so in rounds, a pass over the n weights each. One stump drawing 2**24 weighted rows over
#: 2**24 took 26 s (rt83-12); skewed weights made 100 rounds of 10**7 rows (rt83-04). 2**32:
#: an honest forest of 100 trees fitted with class weights over some 115,000 rows.
MAX_WEIGHTED_DRAW_NS = 1 << 32
#: What a pass over one weight costs (normalizing, zeroing the rows found, the cumsum): 2**27
#: passes took 0.93 s.
WEIGHT_PASS_NS = 8
#: What one weighted draw costs, by the bits of the rows it searches: 1.5 times what was
#: measured (80 ns over 2**10 rows, 168 over 2**16, 323 over 2**20, 950 over 2**22, 1,542
#: over 2**24, as the cumsum leaves the caches), and twice as much again per two bits past.
_WEIGHTED_DRAW_NS = {10: 120, 12: 145, 14: 185, 16: 250, 18: 365, 20: 485, 22: 1425, 24: 2300}


def weighted_draw_ns(rows: int) -> int:
    """What one weighted draw over ``rows`` weights costs (:data:`_WEIGHTED_DRAW_NS`)."""
    bits = max(int(rows).bit_length(), 10)
    bits += bits % 2
    if bits <= 24:
        return _WEIGHTED_DRAW_NS[bits]
    return _WEIGHTED_DRAW_NS[24] << (bits - 24) // 2


def check_weighted_draws(members: Any, draws: int, population: int, rounds: int, what: str) -> None:
    """``estimators_samples_``'s weighted draws: every member makes ``draws`` weighted draws
    over ``population`` rows in ``rounds`` rounds (1 with replacement), at most
    :data:`MAX_WEIGHTED_DRAW_NS` in all."""
    per_member = rounds * population * WEIGHT_PASS_NS + draws * weighted_draw_ns(population)
    spent = _member_count(members) * per_member
    require(
        spent <= MAX_WEIGHTED_DRAW_NS,
        f"{what} members would each make {draws:,} weighted draws over {population:,} samples "
        f"in {rounds:,} round(s), some {spent / 1e9:,.1f} s in all (at most "
        f"{MAX_WEIGHTED_DRAW_NS / 1e9:.1f} s): estimators_samples_ draws them",
    )


def _member_count(members: Any) -> int:
    return len(members) if type(members) in (list, tuple) else 1


def check_drawn_total(members: Any, per_member: int, what: str) -> None:
    """``estimators_samples_`` draws ``per_member`` indexes for every member (a forest's
    bootstrap count, or its training set's size without bootstrap; bagging's ``_max_samples``
    or ``_n_samples``): plain ints fit stores, 10**9 on ten members fitted on 60 rows asked
    4-8 GB each (rt79-05). At most :data:`MAX_DRAWS` in all, honest or not."""
    count = _member_count(members)
    require(
        count * per_member <= MAX_DRAWS,
        f"{what} members would draw {count * per_member:,} sample indexes in all (at most "
        f"{MAX_DRAWS:,}): estimators_samples_, which a notebook's display reads, holds them",
    )


def check_sample_weight(weights: Any, population: Any, what: str) -> int:
    """A bagging model's or forest's ``_sample_weight`` as fit stores it (returning the
    sample count ``population``, an int): the validated weights
    of the training set (scikit-learn's ``_check_sample_weight``: one float32 or float64 per
    sample), which fit then drew with (``RandomState.choice`` accepts only finite,
    non-negative weights, not all zero). ``estimators_samples_`` normalizes them per member:
    a stored array of another kind or length is only a number of rows in the file (rt83-04)."""
    require(is_int(population), f"{what} _sample_weight without a sample count")
    rows = int(population)
    require(
        issubclass(type(weights), np.ndarray)
        and weights.dtype.kind == "f"
        and weights.dtype.itemsize in (4, 8)
        and weights.shape == (rows,),
        f"{what} _sample_weight is not one float weight per training sample (_n_samples), "
        "as fit stores it",
    )
    require(
        bool(np.all(np.isfinite(weights)) and np.all(weights >= 0) and np.any(weights > 0)),
        f"{what} _sample_weight holds a weight that fit could not have drawn with "
        "(negative, not finite, or all zero)",
    )
    return rows


#: The rounds :func:`_weighted_rounds` follows: a round finds one row at least, so as many are
#: as many passes over at least as many rows, 2**33 ns, past :data:`MAX_WEIGHTED_DRAW_NS`.
_MAX_ROUNDS_FOLLOWED = 1 << 15


def _weighted_rounds(weights: Array, drawn: int) -> tuple[int, int]:
    """The rounds ``RandomState.choice(n, drawn, replace=False, p=weights / sum)`` makes and
    the draws they make in all, for the weighted draws bound (rt83-04). Each round draws only
    the ``m`` rows still missing, after zeroing the weights of those found, and keeps the
    distinct ones: its first draw is always new, so ``drawn`` rounds at worst.

    A round's expected new rows, followed round by round (rt84-19; the two bounds before it,
    by the spread of the weights and by the share of the ``drawn`` largest, are its two ends):
    with ``R`` rows left, every one is at most ``p`` likely, ``p`` the largest weight over
    itself and the ``R - 1`` smallest (the weights zeroed may be any, so the ones left are
    taken as light as they can be). Each row's chance of being drawn, ``1 - (1 - p_i)**m``, is
    concave in ``p_i`` and 0 at 0, so at least ``p_i / p`` times ``1 - (1 - p)**m``: summed,
    the round finds at least ``(1 - (1 - p)**m) / p`` rows in expectation (``m`` when ``p`` is
    small, about ``m / s`` when ``s`` is the spread of the weights and every row is drawn,
    one when a row holds all the weight). The rounds and draws until that leaves under half a
    row missing are counted twice, with 4 rounds more for the last few rows; at most
    ``drawn`` rounds and what they draw. Past :data:`_MAX_ROUNDS_FOLLOWED` rounds the bound
    is met by the passes alone, and the count stops there."""
    positive = weights[weights > 0]
    if positive.size < drawn or drawn < 2:
        # (numpy refuses fewer positive weights than draws before any round)
        return max(drawn, 1), max(drawn, 1)
    values = positive.astype(np.float64)
    # the light end summed directly (the weights past the drawn largest, found by a partition
    # in one pass: no cancellation of the sum against the heavy ones), then the ``drawn``
    # largest in order: ``lightest[j]`` sums the ``kept + j`` smallest
    kept = values.size - drawn
    parted = np.partition(values, kept) if kept else values
    rest = float(parted[:kept].sum()) if kept else 0.0
    heavy = np.sort(parted[kept:])
    lightest = np.concatenate(([rest], rest + np.cumsum(heavy)))
    largest = float(heavy[-1])
    missing, rounds, draws = float(drawn), 0, 0
    while missing >= 0.5 and rounds < _MAX_ROUNDS_FOLLOWED:
        m = math.ceil(missing)
        light = float(lightest[m - 1])  # (the R - 1 = kept + m - 1 smallest)
        p = largest / (largest + light)
        found = 1.0 if p >= 1.0 else -math.expm1(m * math.log1p(-p)) / p
        missing -= min(max(found, 1.0), float(m))
        rounds += 1
        draws += m
    if rounds >= _MAX_ROUNDS_FOLLOWED:
        return drawn, drawn * (drawn + 1) // 2
    counted = min(2 * rounds + 4, drawn), min(2 * draws + 4, drawn * (drawn + 1) // 2)
    grouped = _grouped_rounds(values, drawn)
    return counted if grouped is None else min(counted, grouped)


#: Distinct weights past which :func:`_grouped_rounds` does not follow the rows by weight.
_MAX_WEIGHT_LEVELS = 64


def _grouped_rounds(values: Array, drawn: int) -> tuple[int, int] | None:
    """:func:`_weighted_rounds` for weights of at most :data:`_MAX_WEIGHT_LEVELS` values (class
    weights: "balanced" ones are one value per class, rt85-01), followed by level: a round of
    ``m`` draws takes about ``m c w / W`` of them from the ``c`` rows left of weight ``w``
    (``W`` the weight left), which find ``c (1 - (1 - 1/c)**k)`` new rows of ``k`` draws. The
    bound by the lightest rows takes every row left as the heaviest (for one heavy row among
    many light ones, a round finds one row: 450 rounds counted where numpy makes 6); numpy's
    heavy rows go first. An expectation (not a bound, as that is): counted three times,
    with 4 rounds more; ``None`` for more levels. Checked against numpy's own loop over
    seeds (tests/test_redteam85_fixes.py)."""
    levels, sizes = np.unique(values, return_counts=True)
    if levels.size > _MAX_WEIGHT_LEVELS:
        return None
    weights = [float(w) for w in levels]
    left = [float(c) for c in sizes]
    missing, rounds, draws = float(drawn), 0, 0
    while missing >= 0.5 and rounds < _MAX_ROUNDS_FOLLOWED:
        m = math.ceil(missing)
        total = sum(c * w for c, w in zip(left, weights, strict=True))
        new = []
        for c, w in zip(left, weights, strict=True):
            k = m * c * w / total if total > 0 else 0.0
            new.append(c * -math.expm1(k * math.log1p(-1.0 / c)) if c > 1 else min(c, k))
        found = sum(new)
        took = min(max(found, 1.0), float(m))
        scale = took / found if found > 0 else 0.0
        left = [max(c - n * scale, 0.0) for c, n in zip(left, new, strict=True)]
        missing -= took
        rounds += 1
        draws += m
    if rounds >= _MAX_ROUNDS_FOLLOWED:
        return None
    # (three times: an expectation, not a bound; numpy's most over 40 seeds was 0.45-0.55 of
    # twice it, plus 4)
    return min(3 * rounds + 4, drawn), min(3 * draws + 4, drawn * (drawn + 1) // 2)


def check_draw_count(drawn: Any, samples: Any, param: Any, what: str) -> None:
    """A stored number of draws per sub-estimator (a forest's ``_n_samples_bootstrap``,
    bagging's ``_max_samples``) as fitting makes it: at least 1, and at most the training set
    ``samples`` unless ``max_samples`` (``param``) was an int the trainer chose, which it then
    equals. A larger count is only a number in the file (rt31-03, rt32-07). What remains is
    the training-set size or ``max_samples`` a file claims, which costs what the honest model
    with those values costs, up to :data:`MAX_DRAWS` in all (:func:`check_drawn_total`)."""
    require(
        is_int(drawn) and is_int(samples) and int(drawn) >= 1 and int(samples) >= 1,
        f"{what} draw count or sample count is not a positive int",
    )
    require(
        int(drawn) <= int(samples) or (is_int(param) and int(param) == int(drawn)),
        f"{what} draws more samples per estimator than its training set and max_samples give",
    )


def _class_counts(classes: Any, n_outputs: int) -> list[int]:
    """The number of classes per output: ``classes_`` is one array for one output and a list
    of arrays for several (how forests and trees store it)."""
    if n_outputs == 1:
        # (an array, as fit stores it: np.ndim of a Pipeline, which has __len__ and
        # __getitem__, is 1 in the load and unknown to scan's shadow, rt72-02)
        require(
            issubclass(type(classes), np.ndarray) and classes.ndim == 1,
            "classes_ is not one array of labels",
        )
        return [len(classes)]
    require(
        isinstance(classes, list) and len(classes) == n_outputs,
        "classes_ does not hold one array of labels per output",
    )
    return [len(c) for c in classes]


def _check_forest_outputs(est: Any, trees: Any) -> None:
    """A forest sizes its predictions from its own ints (rt28-14): ``predict`` of a
    multi-output regressor allocates ``(n_samples, n_outputs_)``, ``predict_proba`` one
    ``(n_samples, k)`` array per ``k`` in ``n_classes_``. They must agree with ``classes_`` and
    with what every tree holds (``tree_.n_outputs``, ``tree_.n_classes``)."""
    n_out: Any = getattr(est, "n_outputs_", None)
    n_classes: Any = getattr(est, "n_classes_", None)
    if n_out is None:
        require(n_classes is None, "a forest with n_classes_ but no n_outputs_")
        return
    require(is_int(n_out) and int(n_out) >= 1, "forest n_outputs_ malformed")
    outputs = int(n_out)
    counts: list[int] | None = None
    if n_classes is not None:
        raw = np.atleast_1d(np.asarray(n_classes, dtype=object))
        require(
            raw.ndim == 1 and raw.shape[0] == outputs and all(is_int(k) for k in raw.tolist()),
            "forest n_classes_ disagrees with n_outputs_",
        )
        counts = [int(k) for k in raw.tolist()]
        classes = getattr(est, "classes_", None)
        require(
            classes is not None and _class_counts(classes, outputs) == counts,
            "forest n_classes_ disagrees with classes_",
        )
    for sub in trees:
        tree = getattr(sub, "tree_", None)
        if tree is None:
            continue
        require(int(tree.n_outputs) == outputs, "forest tree n_outputs disagrees with the forest")
        if counts is not None:
            require(
                [int(k) for k in np.asarray(tree.n_classes).tolist()] == counts,
                "forest tree n_classes disagrees with the forest",
            )


def check_bagging(est: Any, context: Any) -> None:
    """Bagging and isolation forests hand each sub-estimator the columns listed for it."""
    n_in: Any = getattr(est, "n_features_in_", None)
    subs: Any = getattr(est, "estimators_", None)
    feats: Any = getattr(est, "estimators_features_", None)
    attrs = vars(est)
    seeds = attrs.get("_seeds")
    if subs is None:
        # estimators_samples_ iterates _seeds with no fitted check (rt81-14)
        require(seeds is None, "bagging _seeds without estimators_, which fit stores together")
        return
    require(n_in is not None and feats is not None, "a fitted bagging model without features")
    n_classes: Any = getattr(est, "n_classes_", None)
    if n_classes is not None:
        # predict_proba allocates (n_samples, n_classes_) per sub-estimator (rt28-14)
        classes: Any = getattr(est, "classes_", None)
        require(
            is_int(n_classes) and classes is not None and np.ndim(classes) == 1,
            "bagging n_classes_ without one array of classes",
        )
        require(int(n_classes) == len(classes), "bagging n_classes_ disagrees with classes_")
    require(len(subs) == len(feats), "bagging estimators and feature lists disagree")
    # (it draws once per seed: fit keeps one per member, rt80-01)
    require(
        seeds is None
        or (
            issubclass(type(seeds), np.ndarray)
            and seeds.ndim == 1
            and seeds.dtype.kind in "iu"
            and len(seeds) == len(subs)
        ),
        "bagging _seeds is not one seed per member, as fit stores it",
    )
    if attrs.get("_max_samples") is not None or seeds is not None:
        # (the draws are counted whenever there are seeds to draw with: without
        # _max_samples its count is not checked, rt81-14)
        # an isolation forest clamps max_samples to the training set: no exemption (rt33-17)
        isolation = sklearn_name(est) == "IsolationForest"
        param = None if isolation else attrs.get("max_samples")
        population = attrs.get("_n_samples")
        weights = attrs.get("_sample_weight")
        if weights is not None:
            check_sample_weight(weights, population, "bagging")
            if isinstance(param, float):
                # (fit draws a fraction of the weights' sum: max(int(max_samples * sum), 1))
                param = max(int(param * weights.sum()), 1)
        check_draw_count(attrs.get("_max_samples"), population, param, "bagging")
        drawn, population = int(attrs["_max_samples"]), int(attrs["_n_samples"])
        without_replacement = attrs.get("bootstrap") is not True
        if weights is not None:
            # (the plain count first: 2**25 weights, 21 KB as xz, cost the rounds' sort 6 s
            # before this refused them, red team 85)
            check_drawn_total(subs, drawn, "bagging")
            # choice(n, k, p=...) normalizes and sums the n weights for every member (forests
            # count them alike); without replacement it draws in rounds, a cumsum over the n
            # weights each, at most k of them (rt83-04)
            rounds, draws = _weighted_rounds(weights, drawn) if without_replacement else (1, drawn)
            check_weighted_draws(subs, draws, population, rounds, "bagging")
            # (and the normalized weights and their cumsum, two float64 per row, per member)
            drawn += 2 * population
        elif without_replacement and drawn > population / 100:
            # (a draw without replacement of more than 1% permutes the whole population: then
            # _n_samples counts, as scikit-learn's sample_without_replacement does)
            drawn = max(drawn, population)
        # (each seed draws the member's features too, alike: n_features_in_ of 2**24 cost
        # 134 MB a seed, red team 81's untested idea)
        features, columns = attrs.get("_max_features"), attrs.get("n_features_in_")
        if is_int(features) and is_int(columns):
            picked, width = max(int(features), 0), max(int(columns), 0)
            if attrs.get("bootstrap_features") is not True and picked > width / 100:
                picked = max(picked, width)
            drawn += picked
        check_drawn_total(subs, drawn, "bagging")
    max_features = getattr(est, "_max_features", None)
    for sub, cols in zip(subs, feats, strict=True):
        cols = np.asarray(cols)
        require(
            cols.ndim == 1 and cols.dtype.kind in "iu" and np.all((cols >= 0) & (cols < int(n_in))),
            "bagging feature indices out of range",
        )
        # fit draws at most n_features_in_ columns (with or without replacement):
        # predict builds X[:, cols], so 131,072 repeats of column 0 made (n, 131072) from
        # 132 KB (rt59-04)
        require(cols.shape[0] <= int(n_in), "bagging feature list longer than the input")
        features = tree_features(sub)
        if features is not None:
            require(features == cols.shape[0], "bagging tree n_features disagrees")
        if max_features is not None:
            require(cols.shape[0] == int(max_features), "bagging feature count disagrees")


def check_gradient_boosting(est: Any, context: Any) -> None:
    """``predict_stages`` (native) writes one output column per column of ``estimators_`` and
    indexes the input with each tree's feature indices."""
    trees: Any = getattr(est, "estimators_", None)
    if trees is None:
        return
    require(
        isinstance(trees, np.ndarray) and trees.ndim == 2 and trees.dtype.hasobject,
        "gradient boosting estimators_ is not a 2-D object array",
    )
    per_iteration: Any = getattr(est, "n_trees_per_iteration_", None)
    require(
        per_iteration is not None and trees.shape[1] == int(per_iteration),
        "gradient boosting estimators_ disagrees with n_trees_per_iteration_",
    )
    # the output buffer comes from init_'s predictions: one column for a regressor or a
    # binary classifier, one per class otherwise
    n_classes = getattr(est, "n_classes_", None)
    expected = 1 if n_classes is None or int(n_classes) <= 2 else int(n_classes)
    require(int(per_iteration) == expected, "gradient boosting outputs disagree with classes")
    init = getattr(est, "init_", None)
    if init is not None and not (isinstance(init, str) and init == "zero"):
        _check_gb_init(est, init, n_classes)
    n_in = int(est.n_features_in_)
    from sklearn.tree import DecisionTreeRegressor

    for tree in trees.ravel().tolist():
        require(class_of(tree) is DecisionTreeRegressor, "gradient boosting stage is not a tree")
        require(tree_features(tree) == n_in, "gradient boosting tree n_features disagrees")


#: The strategies DummyClassifier's predict_proba knows (any other falls through to a list
#: of unset outputs).
_DUMMY_CLASSIFIER_STRATEGIES = frozenset(
    {"most_frequent", "prior", "stratified", "uniform", "constant"}
)


def _check_gb_init(est: Any, init: Any, n_classes: Any) -> None:
    """The raw-prediction buffer that the native ``predict_stages`` writes
    ``n_trees_per_iteration_`` columns of (bounds checks off) is ``init_``'s
    ``predict_proba`` (classifiers) or ``predict`` (regressors) output (rt18-08). Its width is
    provable only for the estimators scikit-learn fits by default, so ``init_`` is ``"zero"``
    or one of them, and every stored value that sizes its output agrees with the ensemble: a
    ``DummyClassifier`` with one output of the booster's classes (``n_classes_``,
    ``classes_`` and ``class_prior_`` alike, a known strategy), a ``DummyRegressor`` with one
    output (``constant_`` of shape (1, 1))."""
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.ensemble import GradientBoostingClassifier

    kind = class_of(init)
    if isinstance(est, GradientBoostingClassifier):
        require(
            kind is DummyClassifier,
            "gradient boosting classifier init_ is not 'zero' or a DummyClassifier (the only "
            "init estimators whose output width can be proven)",
        )
        require(is_int(n_classes) and int(n_classes) >= 2, "gradient boosting n_classes_ malformed")
        n = int(n_classes)
        require(
            is_int(init.n_outputs_) and int(init.n_outputs_) == 1,
            "gradient boosting init_ does not have one output",
        )
        require(
            is_int(init.n_classes_) and int(init.n_classes_) == n,
            "gradient boosting init_ n_classes_ disagrees with the classes",
        )
        require(
            np.ndim(init.classes_) == 1 and len(init.classes_) == n,
            "gradient boosting init_ disagrees with the classes",
        )
        prior = np.asarray(init.class_prior_)
        require(
            prior.shape == (n,) and prior.dtype.kind == "f",
            "gradient boosting init_ class_prior_ disagrees with the classes",
        )
        strategy = init._strategy
        require(
            isinstance(strategy, str) and strategy in _DUMMY_CLASSIFIER_STRATEGIES,
            "gradient boosting init_ strategy unknown",
        )
    else:
        require(
            kind is DummyRegressor,
            "gradient boosting regressor init_ is not 'zero' or a DummyRegressor (the only "
            "init estimators whose output width can be proven)",
        )
        require(
            is_int(init.n_outputs_) and int(init.n_outputs_) == 1,
            "gradient boosting init_ does not have one output",
        )
        require(
            np.shape(init.constant_) == (1, 1),
            "gradient boosting init_ constant_ is not one value",
        )
