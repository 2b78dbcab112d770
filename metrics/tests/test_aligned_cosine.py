"""Aligned cosine similarity: definition, declared invariances (each proven or refuted), torch agreement."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.linalg import orthogonal_procrustes, qr

from metrics import representation as R
from metrics import torch_representation as TR
from metrics._validation import DegenerateInputError
from metrics.registry import get


def _pair(seed: int, n: int = 30, p: int = 4, q: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    Y = X[:, : min(p, q)] @ rng.normal(size=(min(p, q), q)) + 0.5 * rng.normal(size=(n, q))
    return X, Y


def _orthogonal(seed: int, d: int) -> np.ndarray:
    Q, Rm = qr(np.random.default_rng(seed).normal(size=(d, d)))
    return Q * np.sign(np.diag(Rm))


def test_matches_scipy_procrustes_then_row_cosines() -> None:
    X, Y = _pair(0)
    Q, _ = orthogonal_procrustes(X, Y)
    A = X @ Q
    want = np.mean((A * Y).sum(1) / (np.linalg.norm(A, axis=1) * np.linalg.norm(Y, axis=1)))
    assert R.aligned_cosine_similarity(X, Y) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize(("p", "q"), [(4, 4), (3, 6), (6, 2)])
def test_torch_agrees_and_is_symmetric(p: int, q: int) -> None:
    X, Y = _pair(1, p=p, q=q)
    ref = R.aligned_cosine_similarity(X, Y)
    assert R.aligned_cosine_similarity(Y, X) == pytest.approx(ref, rel=1e-10)  # declared symmetric
    got = TR.aligned_cosine_similarity(torch.tensor(X), torch.tensor(Y))
    assert got.dtype == torch.float64 and float(got) == pytest.approx(ref, rel=1e-10)
    batch = TR.aligned_cosine_similarity(torch.tensor(np.stack([X, 2 * X])), torch.tensor(Y))
    assert batch.shape == (2,) and float(batch[1]) == pytest.approx(ref, rel=1e-10)


def test_declared_invariances_hold_and_fail_as_declared() -> None:
    spec = get("aligned_cosine").invariances
    X, Y = _pair(2)
    base = R.aligned_cosine_similarity(X, Y)
    rng = np.random.default_rng(3)
    holds = {
        "isotropic_scaling": R.aligned_cosine_similarity(7.5 * X, 0.2 * Y),
        "orthogonal": R.aligned_cosine_similarity(X @ _orthogonal(4, 4), Y @ _orthogonal(5, 4)),
        "permutation": R.aligned_cosine_similarity(X[:, rng.permutation(4)], Y),
    }
    for name, value in holds.items():
        assert getattr(spec, name) is True
        assert value == pytest.approx(base, rel=1e-10), name
    fails = {
        "translation": R.aligned_cosine_similarity(X + 3.0, Y),
        "invertible_linear": R.aligned_cosine_similarity(X @ np.diag([10.0, 1.0, 1.0, 0.1]), Y),
    }
    for name, value in fails.items():
        assert getattr(spec, name) is False
        assert abs(value - base) > 1e-3, name


def test_zero_row_is_degenerate_in_both() -> None:
    X, Y = _pair(6)
    X[3] = 0.0
    with pytest.raises(DegenerateInputError, match=r"^aligned_cosine_similarity: every row of X must be non-zero"):
        R.aligned_cosine_similarity(X, Y)
    with pytest.raises(DegenerateInputError, match=r"^aligned_cosine_similarity: every row of X must be non-zero"):
        TR.aligned_cosine_similarity(torch.tensor(X), torch.tensor(Y))


def test_gradcheck() -> None:
    X, Y = _pair(7, n=8, p=3, q=3)
    args = (torch.tensor(X, requires_grad=True), torch.tensor(Y, requires_grad=True))
    assert torch.autograd.gradcheck(TR.aligned_cosine_similarity, args)
