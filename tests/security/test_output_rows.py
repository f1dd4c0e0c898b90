"""Output widths that the generated sweep (``fuzz/output_sweep.py``) found uncounted, where
each file's own arrays set a method's width and nothing else said so.

- A naive Bayes model's probabilities come one per row of its ``feature_log_prob_`` (and a
  dummy classifier's one per item of ``class_prior_``), not per label: 30 ComplementNB
  members of two labels whose ``feature_log_prob_`` has 200,000 zero rows over one input
  column are a 220 KB file, and a soft voter over them asks 960 MB for 20 rows. A voter's
  member width read only the labels.
- LatentDirichletAllocation's ``transform`` projects onto ``exp_dirichlet_component_``'s rows,
  not ``components_``'s: five of 30,000 rows side by side in a union on one input column
  (1.2 GB for 1,000 rows) were counted as two columns each.
"""

from __future__ import annotations

import copy

import numpy as np

from redteam import (
    GB,
    assert_refused_with,
    compressed_joblib,
    joblib_out_of_memory,
    load_honest,
)


def _wide_bayes(rows: int) -> object:
    from sklearn.naive_bayes import ComplementNB

    nb = ComplementNB().fit(np.abs(np.random.default_rng(0).normal(size=(20, 1))), [0, 1] * 10)
    nb.feature_log_prob_ = np.zeros((rows, 1))
    return nb


def test_voting_over_naive_bayes_rows(tmp_path):
    from sklearn.ensemble import VotingClassifier

    voter = VotingClassifier([("a", _wide_bayes(2))], voting="soft")
    voter.fit(np.abs(np.random.default_rng(0).normal(size=(20, 1))), [0, 1] * 10)
    member = _wide_bayes(200_000)
    voter.estimators_ = [copy.deepcopy(member) for _ in range(30)]
    voter.named_estimators_.clear()
    path = compressed_joblib(tmp_path, voter, 300_000)
    joblib_out_of_memory(path, "model.predict_proba(numpy.ones((20, 1)))", memory=GB // 2)
    assert_refused_with(path)


def test_union_of_topic_models(tmp_path):
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.pipeline import FeatureUnion

    lda = LatentDirichletAllocation(n_components=2, max_iter=2, random_state=0)
    lda.fit(np.ones((6, 1)))
    lda.exp_dirichlet_component_ = np.full((30_000, 1), 1e-300)
    union = FeatureUnion([(f"t{i}", copy.deepcopy(lda)) for i in range(5)])
    # plain scikit-learn: 30,000 columns each, 1.2 GB for 1,000 rows
    assert union.transform(np.ones((1, 1))).shape == (1, 5 * 30_000)
    path = compressed_joblib(tmp_path, union, 200_000)
    assert_refused_with(path)


def test_honest_bayes_and_topic_models_load(tmp_path):
    from sklearn.datasets import load_digits
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.ensemble import StackingClassifier, VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.mixture import GaussianMixture
    from sklearn.naive_bayes import ComplementNB, GaussianNB, MultinomialNB
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import StandardScaler

    x, y = load_digits(return_X_y=True)
    x, y = x[:300], y[:300]
    voter = VotingClassifier(
        [("c", ComplementNB()), ("m", MultinomialNB()), ("g", GaussianNB())], voting="soft"
    )
    stack = StackingClassifier([("c", ComplementNB()), ("g", GaussianNB())], cv=2)
    topics = make_pipeline(
        make_union(LatentDirichletAllocation(20, max_iter=2, random_state=0), StandardScaler()),
        LogisticRegression(max_iter=20),
    )
    for model in (voter, stack, topics):
        model.fit(x, y)
        assert load_honest(model, tmp_path).predict(x[:2]).shape == (2,)
    mixture = GaussianMixture(10, random_state=0).fit(x[:, :8])
    assert load_honest(mixture, tmp_path).predict_proba(x[:2, :8]).shape == (2, 10)
