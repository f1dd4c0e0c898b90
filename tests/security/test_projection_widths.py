"""Projections, kernel approximations, clusterers and category encoders widen their input by
what they store, and those widths are held side by side in a union like an expansion's.

Found by the maintainer while red team 64 worked (reading ``_width_factor``'s list against
every allowlisted class with a ``transform``): a union of 200 RBFSamplers of 4,096 components
on one input column, all weights zero, is a 79 KB file whose ``transform`` gives 819,200
columns a row; only polynomial, spline, one-hot, discretizer and target-encoder widths were
read. PCAs with a ``(4096, 1)`` ``components_`` alike, and a SparseCoder (which transforms
without a fit, so it was not counted at all) with a dictionary of 4,096 rows, as an array or
as a list of references to one row.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from redteam import assert_refused_with, compressed_joblib, joblib_memory_harm, load_honest


def _rbf() -> object:
    from sklearn.kernel_approximation import RBFSampler

    sampler = RBFSampler(n_components=4096, random_state=0).fit(np.ones((3, 1)))
    sampler.random_weights_[:] = 0
    sampler.random_offset_[:] = 0
    return sampler


def _pca() -> object:
    from sklearn.decomposition import PCA

    pca = PCA(n_components=1).fit(np.arange(6.0).reshape(3, 2)[:, :1])
    pca.components_ = np.zeros((4096, 1))
    pca.explained_variance_ = np.ones(4096)
    pca.n_components_ = 4096
    return pca


def _coder_array() -> object:
    from sklearn.decomposition import SparseCoder

    return SparseCoder(dictionary=np.zeros((4096, 1)), transform_algorithm="threshold")


def _coder_list() -> object:
    from sklearn.decomposition import SparseCoder

    row = [0.0]
    return SparseCoder(dictionary=[row] * 4096, transform_algorithm="threshold")


def test_union_of_kernel_approximations(tmp_path):
    from sklearn.pipeline import FeatureUnion

    one = _rbf()
    union = FeatureUnion([(f"r{i}", copy.deepcopy(one)) for i in range(200)])
    path = compressed_joblib(tmp_path, union, 100_000)
    joblib_memory_harm(path, "model.transform(numpy.ones((200, 1)))")
    assert_refused_with(path)


@pytest.mark.parametrize(
    ("make", "count"),
    [(_pca, 20), (_coder_array, 3), (_coder_list, 3)],
    ids=["pca", "sparse-coder", "sparse-coder-list"],
)
def test_union_of_projections(tmp_path, make, count):
    from sklearn.pipeline import FeatureUnion

    one = make()
    union = FeatureUnion([(f"p{i}", copy.deepcopy(one)) for i in range(count)])
    wide = union.transform(np.ones((1, 1)))  # plain scikit-learn: 4,096 columns each
    assert wide.shape == (1, 4096 * count)
    path = compressed_joblib(tmp_path, union, 100_000)
    assert_refused_with(path)


def test_category_encoder_mapping_widths(tmp_path):
    pytest.importorskip("category_encoders")
    import category_encoders as ce
    import pandas as pd
    from sklearn.pipeline import FeatureUnion

    frame = pd.DataFrame({"a": [f"c{i}" for i in range(1024)]})
    encoder = ce.HelmertEncoder(cols=["a"]).fit(frame)  # 1,023 columns for one input column
    union = FeatureUnion([(f"e{i}", encoder) for i in range(5)])
    assert union.transform(frame[:1]).shape == (1, 5 * 1023)
    path = compressed_joblib(tmp_path, union, 1_000_000)
    assert_refused_with(path, ["category_encoders"])
    # one of them is honest
    assert load_honest(encoder, tmp_path, ["category_encoders"]) is not None


def test_honest_projections_load(tmp_path):
    from sklearn.cluster import Birch, KMeans
    from sklearn.datasets import load_iris
    from sklearn.decomposition import PCA, KernelPCA, SparseCoder
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.kernel_approximation import Nystroem, RBFSampler
    from sklearn.linear_model import LogisticRegression
    from sklearn.manifold import Isomap
    from sklearn.pipeline import make_pipeline, make_union

    x, y = load_iris(return_X_y=True)
    union = make_union(
        PCA(2),
        RBFSampler(n_components=2000, random_state=0),
        KMeans(50, n_init=1, random_state=0),
        Nystroem(n_components=100, random_state=0),
        KernelPCA(kernel="rbf"),  # every component: 150 for 4 inputs
        Isomap(n_components=3),
        LinearDiscriminantAnalysis(),
        Birch(),
        SparseCoder(dictionary=np.random.default_rng(0).random((40, 4))),
    )
    model = make_pipeline(union, LogisticRegression(max_iter=50)).fit(x, y)
    loaded = load_honest(model, tmp_path)
    assert loaded.predict(x[:3]).shape == (3,)
