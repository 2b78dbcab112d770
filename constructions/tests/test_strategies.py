"""Tests of the Hypothesis strategies: the promised shapes and properties, eager validation, and
small library properties on the generated inputs."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from constructions.strategies import (
    identifiability_pairs,
    invertible_matrices,
    model_pairs,
    orthogonal_matrices,
    permutations,
    representation_pairs,
    scalings,
    softmax_models,
    translations,
)
from metrics import torch_model_distances
from metrics.model_distances import kl_divergence, llv
from metrics.models import SoftmaxModel
from metrics.representation import cka_linear

FAST = settings(max_examples=25, deadline=None)


def _assert_diverse(m: SoftmaxModel) -> None:
    M = m.M
    assert m.K >= M + 1 and m.N >= M + 1
    assert np.linalg.matrix_rank(m.G[1 : M + 1] - m.G[0]) == M
    assert np.linalg.matrix_rank(m.F[1 : M + 1] - m.F[0]) == M
    # distinct rows: no label's log-odds against another can be constant over the inputs
    assert len({tuple(r) for r in m.G}) == m.K
    assert len({tuple(r) for r in m.F}) == m.N


# ----------------------------------------------------------------------------- group elements


@FAST
@given(data=st.data(), dim=st.integers(1, 6))
def test_orthogonal_matrices_are_orthogonal(data: st.DataObject, dim: int) -> None:
    Q = data.draw(orthogonal_matrices(dim=dim))
    assert Q.shape == (dim, dim) and Q.dtype == np.float64
    np.testing.assert_allclose(Q.T @ Q, np.eye(dim), rtol=0, atol=1e-12)
    np.testing.assert_allclose(Q @ Q.T, np.eye(dim), rtol=0, atol=1e-12)


def test_orthogonal_matrices_minimal_example_is_identity() -> None:
    from hypothesis import find

    Q = find(orthogonal_matrices(dim=3), lambda Q: True)
    np.testing.assert_array_equal(Q, np.eye(3))


@FAST
@given(s=scalings(min_value=0.5, max_value=2.0))
def test_scalings_in_range(s: float) -> None:
    assert 0.5 <= s <= 2.0


@FAST
@given(t=translations(dim=4, max_abs=3.0))
def test_translations_shape_and_bound(t: np.ndarray) -> None:
    assert t.shape == (4,) and t.dtype == np.float64
    assert np.all(np.isfinite(t)) and np.all(np.abs(t) <= 3.0)


@FAST
@given(data=st.data(), dim=st.integers(1, 8))
def test_permutations_are_permutations(data: st.DataObject, dim: int) -> None:
    perm = data.draw(permutations(dim=dim))
    assert perm.dtype == np.int64 and perm.shape == (dim,)
    np.testing.assert_array_equal(np.sort(perm), np.arange(dim))


@FAST
@given(data=st.data(), dim=st.integers(1, 5), max_condition=st.sampled_from([1.0, 10.0, 1e2, 1e4]))
def test_invertible_matrices_condition_bounded(data: st.DataObject, dim: int, max_condition: float) -> None:
    A = data.draw(invertible_matrices(dim=dim, max_condition=max_condition))
    assert A.shape == (dim, dim)
    assert np.linalg.cond(A) <= max_condition * (1 + 1e-9)


# ----------------------------------------------------------------------------- representation pairs


@FAST
@given(XY=representation_pairs(min_n=3, max_n=7, min_p=2, max_p=4, min_q=1, max_q=3, scale=5.0))
def test_representation_pairs_shapes(XY: tuple[np.ndarray, np.ndarray]) -> None:
    X, Y = XY
    assert X.dtype == Y.dtype == np.float64
    assert X.shape[0] == Y.shape[0] and 3 <= X.shape[0] <= 7
    assert 2 <= X.shape[1] <= 4 and 1 <= Y.shape[1] <= 3
    assert np.all(np.isfinite(X)) and np.all(np.isfinite(Y))
    assert np.abs(X).max() <= 5.0 * 4 * 2 and np.abs(Y).max() <= 5.0 * (4 * 3 * 2 + 2)
    # never constant over the samples
    assert np.any(X - X.mean(axis=0) != 0) and np.any(Y - Y.mean(axis=0) != 0)


@FAST
@given(data=st.data(), rank=st.integers(1, 3))
def test_representation_pairs_rank(data: st.DataObject, rank: int) -> None:
    X, Y = data.draw(representation_pairs(min_p=2, max_p=6, min_q=2, max_q=6, rank=rank))
    assert np.linalg.matrix_rank(X) <= rank
    assert np.linalg.matrix_rank(Y) <= rank


def test_representation_pairs_can_be_correlated() -> None:
    from hypothesis import find

    X, Y = find(representation_pairs(), lambda xy: cka_linear(*xy) > 0.9, settings=settings(max_examples=500, database=None))
    assert cka_linear(X, Y) > 0.9


@FAST
@given(data=st.data(), XY=representation_pairs())
def test_cka_linear_invariant_under_orthogonal_maps(data: st.DataObject, XY: tuple[np.ndarray, np.ndarray]) -> None:
    X, Y = XY
    Q = data.draw(orthogonal_matrices(dim=X.shape[1]))
    assert abs(cka_linear(X @ Q, Y) - cka_linear(X, Y)) <= 1e-9


# ----------------------------------------------------------------------------- softmax models


@FAST
@given(m=softmax_models(min_n=3, max_n=9, min_k=3, max_k=6, min_m=1, max_m=3))
def test_softmax_models_are_diverse(m: SoftmaxModel) -> None:
    assert 3 <= m.N <= 9 and 3 <= m.K <= 6 and 1 <= m.M <= 3
    _assert_diverse(m)


@FAST
@given(pq=model_pairs(max_m=2))
def test_model_pairs_share_shapes(pq: tuple[SoftmaxModel, SoftmaxModel]) -> None:
    p, q = pq
    assert (p.N, p.K, p.M) == (q.N, q.K, q.M)
    _assert_diverse(p)
    _assert_diverse(q)


@FAST
@given(pq=identifiability_pairs(max_condition=1e2))
def test_identifiability_pairs_have_equal_conditionals(pq: tuple[SoftmaxModel, SoftmaxModel]) -> None:
    p, q = pq
    assert (p.N, p.K, p.M) == (q.N, q.K, q.M)
    _assert_diverse(p)
    assert np.linalg.matrix_rank(q.G[1 : q.M + 1] - q.G[0]) == q.M
    assert kl_divergence(p, q) < 1e-9
    t = [torch.tensor(np.array(a)) for a in (p.F, p.G, q.F, q.G)]
    assert float(torch_model_distances.kl_divergence(*t)) < 1e-9
    assert llv(p, q).value < 1e-6


# ----------------------------------------------------------------------------- eager validation

BAD: list[tuple[Callable[..., Any], dict[str, Any], type[Exception], str]] = [
    (orthogonal_matrices, {"dim": 0}, ValueError, "orthogonal_matrices: dim must be >= 1; got dim=0."),
    (orthogonal_matrices, {"dim": 2.0}, TypeError, "orthogonal_matrices: dim must be an integer; got dim=2.0 (float)."),
    (permutations, {"dim": -1}, ValueError, "permutations: dim must be >= 1; got dim=-1."),
    (translations, {"dim": 2, "max_abs": -1.0}, ValueError, "translations: max_abs must lie in [0.0, inf); got max_abs=-1.0."),
    (scalings, {"min_value": 0.0}, ValueError, "scalings: min_value must lie in (0.0, inf); got min_value=0.0."),
    (scalings, {"min_value": 2.0, "max_value": 1.0}, ValueError, "scalings: min_value must be <= max_value; got min_value=2.0, max_value=1.0."),
    (scalings, {"max_value": float("nan")}, ValueError, "scalings: max_value must lie in (0.0, inf); got max_value=nan."),
    (invertible_matrices, {"dim": 2, "max_condition": 0.5}, ValueError, "invertible_matrices: max_condition must lie in [1.0, inf); got max_condition=0.5."),
    (representation_pairs, {"min_n": 1}, ValueError, "representation_pairs: min_n must be >= 2; got min_n=1."),
    (representation_pairs, {"min_p": 4, "max_p": 3}, ValueError, "representation_pairs: min_p must be <= max_p; got min_p=4, max_p=3."),
    (representation_pairs, {"rank": 0}, ValueError, "representation_pairs: rank must be >= 1; got rank=0."),
    (representation_pairs, {"rank": "2"}, TypeError, "representation_pairs: rank must be an integer; got rank='2' (str)."),
    (representation_pairs, {"scale": 0.0}, ValueError, "representation_pairs: scale must lie in (0.0, 1000000.0]; got scale=0.0."),
    (softmax_models, {"min_m": 3, "max_k": 3}, ValueError,
     "softmax_models: the diversity condition needs K >= M + 1 labels, so max_k must be >= min_m + 1; got max_k=3, min_m=3."),
    (softmax_models, {"min_m": 4, "max_m": 4, "max_n": 4, "max_k": 10}, ValueError,
     "softmax_models: the diversity condition needs N >= M + 1 inputs, so max_n must be >= min_m + 1; got max_n=4, min_m=4."),
    (softmax_models, {"logit_scale": -1.0}, ValueError, "softmax_models: logit_scale must lie in (0.0, 100.0]; got logit_scale=-1.0."),
    (model_pairs, {"min_k": 5, "max_k": 4}, ValueError, "model_pairs: min_k must be <= max_k; got min_k=5, max_k=4."),
    (model_pairs, {"min_m": True}, TypeError, "model_pairs: min_m must be an integer; got min_m=True (bool)."),
    (identifiability_pairs, {"max_condition": 0.0}, ValueError,
     "identifiability_pairs: max_condition must lie in [1.0, inf); got max_condition=0.0."),
]


@pytest.mark.parametrize(("factory", "kwargs", "error", "message"), BAD, ids=[f"{f.__name__}-{i}" for i, (f, *_) in enumerate(BAD)])
def test_bad_bounds_fail_eagerly(factory: Callable[..., Any], kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        factory(**kwargs)  # raises at call time: nothing is drawn


def test_keyword_only() -> None:
    with pytest.raises(TypeError):
        orthogonal_matrices(3)  # type: ignore[call-arg]
