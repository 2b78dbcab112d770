"""Tests of the scalable torch model distances (metrics/torch_model_distances.py).

The float64 numpy reference (metrics/model_distances.py), which materialises the
K x N log-likelihood matrix, is the oracle: every quantity the torch module
computes (the averaged divergences, the logit distance, d_LLV with its four
terms and its choices, d_{f,g}, d_SVD, d_rep, mCCA) is checked against it on
random models of several shapes, with the streaming and chunking code paths
forced on, on the known constructions (Theorem 3.1's instance, the
identifiability class), in float32 and on CUDA when present, for gradients and
for degenerate or invalid inputs (every message asserted on its text).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import example, given, note, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

import metrics.model_distances as nd
import metrics.torch_model_distances as td
from constructions import identifiability, kl_vanishing
from metrics._pivots import TIE_RTOL, rep_conditioning, rep_pivots
from metrics._validation import DegenerateInputError
from metrics.models import FGResult, LLVResult, ModelDistances, SoftmaxModel

Arr = NDArray[np.float64]
Quad = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]

# ---------------------------------------------------------------------------
# Tolerances (one place)
# ---------------------------------------------------------------------------

#: float64 torch vs float64 numpy. The two are different algorithms (QR factors of
#: small joint feature matrices vs the materialised K x N matrix), so they agree to
#: rounding, not bitwise: measured worst relative gap 1e-13 over the shapes below.
#: RTOL = 1e-9 keeps a 1e4 margin and equals TIE_RTOL on purpose: the pivot searches
#: only reproduce each other's choices if their values agree well inside TIE_RTOL.
RTOL = 1e-9
#: Absolute floor for quantities at or near zero (e.g. a divergence of two nearly equal
#: conditionals), where rounding of log-likelihoods of size ~10 leaves ~1e-15 per term.
ATOL = 1e-12
assert RTOL <= TIE_RTOL

#: float32 torch vs float64 torch: float32 eps is 1.2e-7 and log-likelihoods of size
#: ~10 pass through a logsumexp and a QR, so ~1e-5 relative is what float32 can give.
F32_RTOL = 1e-3
F32_ATOL = 1e-4

#: Every distance on an identifiability class must vanish (measured: <= 1e-9 with
#: cond(A) = 1e3, most quantities ~1e-13); the brief's bound is 1e-6.
ZERO_TOL = 1e-6

#: Shapes (N, K, M) and seeds for the agreement tests.
SHAPES = [(30, 5, 2), (60, 9, 3), (200, 40, 4), (80, 12, 6)]
SEEDS = [0, 1, 2]

DIV_FIELDS = ("kl", "kl_reverse", "js", "tv", "hellinger", "chi2", "logit")
NUMPY_DIV = {
    "kl": nd.kl_divergence,
    "kl_reverse": nd.reverse_kl_divergence,
    "js": nd.js_divergence,
    "tv": nd.tv_distance,
    "hellinger": nd.hellinger_distance,
    "chi2": nd.chi2_divergence,
    "logit": nd.logit_distance,
}
TORCH_DIV = {
    "kl": td.kl_divergence,
    "kl_reverse": td.reverse_kl_divergence,
    "js": td.js_divergence,
    "tv": td.tv_distance,
    "hellinger": td.hellinger_distance,
    "chi2": td.chi2_divergence,
}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


class Pair:
    """Two models as numpy arrays, SoftmaxModels and torch tensors."""

    def __init__(self, F: Any, G: Any, Fp: Any, Gp: Any) -> None:
        # Copies: SoftmaxModel marks float64 arrays it is given read-only.
        self.arrays = tuple(np.array(a, dtype=np.float64) for a in (F, G, Fp, Gp))
        self.p = SoftmaxModel(self.arrays[0].copy(), self.arrays[1].copy())
        self.q = SoftmaxModel(self.arrays[2].copy(), self.arrays[3].copy())

    def t(self, dtype: torch.dtype = torch.float64, device: str = "cpu") -> Quad:
        F, G, Fp, Gp = (torch.tensor(a, dtype=dtype, device=device) for a in self.arrays)
        return F, G, Fp, Gp

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.p.N, self.p.K, self.p.M


def random_pair(N: int, K: int, M: int, seed: int, scale: float = 1.0) -> Pair:
    """Independent standard Gaussian F, G, F', G' times ``scale`` (logits of size ~scale^2 M)."""
    rng = np.random.default_rng(seed)
    F = rng.standard_normal((N, M)) * scale
    G = rng.standard_normal((K, M)) * scale
    Fp = rng.standard_normal((N, M)) * scale
    Gp = rng.standard_normal((K, M)) * scale
    return Pair(F, G, Fp, Gp)


def close(name: str, got: Any, want: float, *, rtol: float = RTOL, atol: float = ATOL) -> None:
    g = float(got)
    if math.isinf(want) or math.isinf(g):
        assert g == want, f"{name}: torch {g!r} vs numpy {want!r}"
        return
    assert math.isclose(g, want, rel_tol=rtol, abs_tol=atol), (
        f"{name}: torch {g!r} vs numpy {want!r} (rel gap {abs(g - want) / max(abs(want), 1e-300):.3g})"
    )


def assert_llv_equal(got: LLVResult, want: LLVResult, **tol: float) -> None:
    assert (got.label_pivot, got.left_out, got.input_set) == (want.label_pivot, want.left_out, want.input_set), (
        f"choices differ: torch {(got.label_pivot, got.left_out, got.input_set)} vs "
        f"numpy {(want.label_pivot, want.left_out, want.input_set)}"
    )
    assert got.lam == want.lam
    for f in ("value", "t1", "t2", "t3", "t4"):
        close(f"llv.{f}", getattr(got, f), getattr(want, f), **tol)


def assert_fg_equal(got: FGResult, want: FGResult, *, check_worst: bool = True) -> None:
    for f in ("value", "d_svd_f", "d_svd_g"):
        close(f"fg.{f}", getattr(got, f), getattr(want, f))
    assert got.num_subsets == want.num_subsets
    assert got.exhaustive == want.exhaustive
    if check_worst:
        assert got.worst_subset == want.worst_subset


def assert_model_distances_equal(got: ModelDistances, want: ModelDistances) -> None:
    assert got.M == want.M
    for f in DIV_FIELDS + ("mcca", "d_rep"):
        close(f, getattr(got, f), getattr(want, f))
    assert_llv_equal(got.llv, want.llv)
    assert_fg_equal(got.fg, want.fg)
    close("bound", got.bound, want.bound)
    assert got.to_dict().keys() == want.to_dict().keys()


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Force every streamed/blocked path into many small pieces."""
    monkeypatch.setattr(td, "LABEL_CHUNK", 3)
    monkeypatch.setattr(td, "BLOCK_BYTES", 64)  # 1-row logit blocks, 1 subset per batch
    monkeypatch.setattr(td, "SEARCH_BYTES", 5 * 8 * 2 * 40)  # pivot blocks of 1-2 rows (K <= 40 here)
    yield


CASES = [(N, K, M, seed) for (N, K, M) in SHAPES for seed in SEEDS]
CASE_IDS = [f"N{N}-K{K}-M{M}-s{seed}" for (N, K, M, seed) in CASES]


# ---------------------------------------------------------------------------
# 1. Agreement with the numpy reference, float64
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("N", "K", "M", "seed"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("block_size", [None, 7])
def test_divergences_agree(N: int, K: int, M: int, seed: int, block_size: int | None) -> None:
    pair = random_pair(N, K, M, seed)
    t = pair.t()
    div = td.distribution_divergences(*t, block_size=block_size)
    for f in DIV_FIELDS:
        want = NUMPY_DIV[f](pair.p, pair.q)
        close(f"distribution_divergences.{f}", getattr(div, f), want)
        out = getattr(div, f)
        assert out.ndim == 0 and out.dtype == torch.float64
        if f in TORCH_DIV:
            close(f, TORCH_DIV[f](*t, block_size=block_size), want)
    close("logit_distance", td.logit_distance(*t), nd.logit_distance(pair.p, pair.q))
    F, G, Fp, Gp = t
    torch.testing.assert_close(div.lse_p, torch.logsumexp(F @ G.T, dim=1), rtol=RTOL, atol=ATOL)
    torch.testing.assert_close(div.lse_q, torch.logsumexp(Fp @ Gp.T, dim=1), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("N", "K", "M", "seed"), CASES, ids=CASE_IDS)
def test_model_distances_agree(N: int, K: int, M: int, seed: int) -> None:
    pair = random_pair(N, K, M, seed)
    assert_model_distances_equal(td.model_distances(*pair.t()), nd.model_distances(pair.p, pair.q))


@pytest.mark.parametrize(("N", "K", "M", "seed"), CASES, ids=CASE_IDS)
def test_llv_fg_rep_agree_standalone(N: int, K: int, M: int, seed: int) -> None:
    pair = random_pair(N, K, M, seed)
    t = pair.t()
    want = nd.llv(pair.p, pair.q)
    got = td.llv(*t)
    assert_llv_equal(got, want)
    val = td.llv_distance(*t)
    assert isinstance(val, torch.Tensor) and val.ndim == 0 and val.dtype == torch.float64
    close("llv_distance", val, nd.llv_distance(pair.p, pair.q))
    assert_fg_equal(td.fg_dissimilarity(*t), nd.fg_dissimilarity(pair.p, pair.q))
    assert_fg_equal(td.fg_dissimilarity(*t, llv_result=want), nd.fg_dissimilarity(pair.p, pair.q, llv_result=want))
    close("fg_distance", td.fg_distance(*t), nd.fg_distance(pair.p, pair.q))
    close("rep_distance", td.rep_distance(*t), nd.rep_distance(pair.p, pair.q))
    close("rep_distance reversed", td.rep_distance(t[2], t[3], t[0], t[1]), nd.rep_distance(pair.q, pair.p))
    close(
        "rep_distance(7, seed=3)",
        td.rep_distance(*t, num_samples=7, seed=3),
        nd.rep_distance(pair.p, pair.q, num_samples=7, seed=3),
    )


@pytest.mark.parametrize(("N", "K", "M"), SHAPES)
def test_agreement_with_every_path_streamed(N: int, K: int, M: int, small_blocks: None) -> None:
    """LABEL_CHUNK = 3, BLOCK_BYTES = 64, small SEARCH_BYTES and block_size = 7: every loop runs in many pieces."""
    assert td.LABEL_CHUNK == 3 and td.BLOCK_BYTES == 64 and td.SEARCH_BYTES == 3200
    pair = random_pair(N, K, M, seed=11)
    t = pair.t()
    want = nd.model_distances(pair.p, pair.q)
    assert_model_distances_equal(td.model_distances(*t, block_size=7), want)
    assert_model_distances_equal(td.model_distances(*t), want)  # block rows from BLOCK_BYTES: 1 row
    assert_llv_equal(td.llv(*t, block_size=7), want.llv)
    close("llv_distance", td.llv_distance(*t, block_size=7), want.llv.value)
    assert_fg_equal(td.fg_dissimilarity(*t), want.fg)
    assert_fg_equal(td.fg_dissimilarity(*t, subset_batch=2), want.fg)
    # a fixed left-out label: the pivot search over blocks of one pivot, fixed y_lo
    ylo = want.llv.left_out
    assert_llv_equal(td.llv(*t, left_out=ylo), nd.llv(pair.p, pair.q, left_out=ylo))
    F, G, _, _ = t
    torch.testing.assert_close(td.log_partition(F, G), torch.logsumexp(F @ G.T, dim=1), rtol=RTOL, atol=ATOL)


def test_fg_sampled_subsets_agree() -> None:
    """More M-subsets than max_subsets: the seeded sample is the same in both implementations."""
    pair = random_pair(120, 15, 3, seed=4)
    t = pair.t()
    for max_subsets, seed in ((10, 0), (25, 7)):
        want = nd.fg_dissimilarity(pair.p, pair.q, max_subsets=max_subsets, seed=seed)
        got = td.fg_dissimilarity(*t, max_subsets=max_subsets, seed=seed)
        assert not want.exhaustive and want.num_subsets == max_subsets
        assert_fg_equal(got, want)
    want_md = nd.model_distances(pair.p, pair.q, max_subsets=10, seed=3, rep_samples=5, num_samples=4)
    got_md = td.model_distances(*t, max_subsets=10, seed=3, rep_samples=5, num_samples=4)
    assert_model_distances_equal(got_md, want_md)


@pytest.mark.parametrize(("n", "M", "batch"), [(10, 2, (4,)), (50, 3, (2, 3)), (7, 5, ())])
def test_svd_similarity_batched_agrees(n: int, M: int, batch: tuple[int, ...]) -> None:
    gen = torch.Generator().manual_seed(n * 100 + M)
    Z = torch.randn(*batch, n, M, generator=gen, dtype=torch.float64)
    Zp = torch.randn(*batch, n, M, generator=gen, dtype=torch.float64) + 0.5 * Z
    sim = td.svd_similarity(Z, Zp)
    dis = td.svd_dissimilarity(Z, Zp)
    assert sim.shape == batch and dis.shape == batch and sim.dtype == torch.float64
    for idx in np.ndindex(*batch):
        z, zp = Z[idx].numpy(), Zp[idx].numpy()
        close(f"svd_similarity{idx}", sim[idx], nd.svd_similarity(z, zp))
        close(f"svd_dissimilarity{idx}", dis[idx], nd.svd_dissimilarity(z, zp))
    # identical inputs: similarity 1, dissimilarity clipped to exactly [0, 1]
    assert bool((td.svd_dissimilarity(Z, Z) >= 0).all())
    torch.testing.assert_close(td.svd_similarity(Z, Z), torch.ones(batch, dtype=torch.float64), rtol=0, atol=1e-12)


@pytest.mark.parametrize("chunk", [1, 3, 7, 10_000])
@pytest.mark.parametrize("grad", [False, True])
def test_r_factor_streamed_matches_direct_qr(chunk: int, grad: bool) -> None:
    """TSQR over row chunks gives the R of the centred [A, B] up to row signs: compare R^T R."""
    rng = np.random.default_rng(chunk)
    A = rng.standard_normal((23, 3)) * 3 + 1.0
    B = rng.standard_normal((23, 2)) - 2.0
    X = np.hstack([A, B])
    Xc = X - X.mean(axis=0)
    R_direct = np.linalg.qr(Xc, mode="r")
    At = torch.tensor(A, requires_grad=grad)
    Bt = torch.tensor(B, requires_grad=grad)
    R = td._r_factor_streamed(At, Bt, chunk=chunk)
    assert R.shape == (5, 5)
    Rn = R.detach().numpy()
    np.testing.assert_allclose(np.tril(Rn, -1), 0.0, atol=1e-12)  # upper triangular
    np.testing.assert_allclose(Rn.T @ Rn, Xc.T @ Xc, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(np.abs(np.diag(Rn)), np.abs(np.diag(R_direct)), rtol=1e-12)
    np.testing.assert_allclose(np.abs(Rn), np.abs(R_direct), rtol=1e-10, atol=1e-10)


def test_r_factor_streamed_fewer_rows_than_columns() -> None:
    A = torch.randn(3, 4, dtype=torch.float64)
    B = torch.randn(3, 4, dtype=torch.float64)
    R = td._r_factor_streamed(A, B, chunk=2)
    Xc = torch.cat([A, B], dim=1) - torch.cat([A, B], dim=1).mean(dim=0)
    torch.testing.assert_close(R.T @ R, Xc.T @ Xc, rtol=1e-12, atol=1e-12)


# ---- explicit and partially fixed choices --------------------------------


@pytest.mark.parametrize(("N", "K", "M"), [(60, 9, 3), (80, 12, 6)])
def test_explicit_and_partial_choices(N: int, K: int, M: int) -> None:
    pair = random_pair(N, K, M, seed=5)
    t = pair.t()
    xs = tuple(range(M + 1))[::-1]
    cases: list[dict[str, Any]] = [
        {"label_pivot": 2, "left_out": 0, "input_set": xs},
        {"label_pivot": K - 1, "left_out": 1, "input_set": list(xs)},
        {"label_pivot": 3},
        {"left_out": 4},
        {"label_pivot": 0, "input_set": xs},
        {"left_out": 0},  # y_lo = 0: the pivot search must skip y_0 = 0
        {"input_set": xs},
        {"num_samples": 3, "seed": 9},
        {"lam": 0.0},
        {"lam": 1.0},  # the scale terms dominate
    ]
    for kwargs in cases:
        want = nd.llv(pair.p, pair.q, **kwargs)
        got = td.llv(*t, **kwargs)
        assert_llv_equal(got, want)
        for key in ("label_pivot", "left_out"):
            if key in kwargs:
                assert getattr(got, key) == kwargs[key]
        if "input_set" in kwargs:
            assert got.input_set == tuple(kwargs["input_set"])
        close(f"llv_distance{kwargs}", td.llv_distance(*t, **kwargs), want.value)
        assert_fg_equal(td.fg_dissimilarity(*t, **kwargs), nd.fg_dissimilarity(pair.p, pair.q, **kwargs))
        assert_model_distances_equal(td.model_distances(*t, **kwargs), nd.model_distances(pair.p, pair.q, **kwargs))


def test_lam_dominates_value() -> None:
    pair = random_pair(40, 6, 2, seed=2)
    res = td.llv(*pair.t(), lam=1e3)
    assert res.value == max(res.t1, res.t2, 1e3 * res.t3, 1e3 * res.t4)
    assert res.value in (1e3 * res.t3, 1e3 * res.t4)


# ---- log_partition ---------------------------------------------------------


def test_log_partition_fast_path() -> None:
    gen = torch.Generator().manual_seed(0)
    F = torch.randn(57, 3, generator=gen, dtype=torch.float64)
    G = torch.randn(11, 3, generator=gen, dtype=torch.float64)
    bound = float(F.norm(dim=1).max() * (G - G.mean(0)).norm(dim=1).max())
    assert bound < 700 - math.log(11)  # every row takes the no-max-pass route
    want = torch.logsumexp(F @ G.T, dim=1)
    for bs in (None, 1, 7, 1000):
        got = td.log_partition(F, G, block_size=bs)
        assert got.shape == (57,) and got.dtype == torch.float64
        torch.testing.assert_close(got, want, rtol=RTOL, atol=ATOL)


def test_log_partition_max_shifted_path() -> None:
    gen = torch.Generator().manual_seed(1)
    F = torch.randn(40, 3, generator=gen, dtype=torch.float64)
    G = torch.randn(9, 3, generator=gen, dtype=torch.float64)
    F[::3] *= 100.0  # a third of the rows: logits in the hundreds, bound far above 700
    assert float(F.norm(dim=1).max() * (G - G.mean(0)).norm(dim=1).max()) > 700
    want = torch.logsumexp(F @ G.T, dim=1)
    assert float(want.abs().max()) > 100
    for bs in (None, 1, 4):  # blocks mixing safe and unsafe rows, and single rows
        got = td.log_partition(F, G, block_size=bs)
        assert bool(torch.isfinite(got).all())
        torch.testing.assert_close(got, want, rtol=RTOL, atol=ATOL)
    # all rows huge: logits ~1e4, far past exp's range
    F2 = F * 100.0
    torch.testing.assert_close(td.log_partition(F2, G), torch.logsumexp(F2 @ G.T, dim=1), rtol=RTOL, atol=ATOL)


def test_log_partition_with_gradients() -> None:
    F = torch.randn(12, 2, dtype=torch.float64, requires_grad=True)
    G = torch.randn(5, 2, dtype=torch.float64)
    got = td.log_partition(F, G, block_size=5)
    torch.testing.assert_close(got, torch.logsumexp(F @ G.T, dim=1))
    got.sum().backward()
    assert F.grad is not None and bool(torch.isfinite(F.grad).all())


def test_log_partition_float32_large_logits() -> None:
    """Regression: the no-max-pass threshold was float64's (700); float32 exp overflows at 88.7."""
    gen = torch.Generator().manual_seed(2)
    F = torch.randn(30, 2, generator=gen) * 10
    G = torch.randn(5, 2, generator=gen) * 10
    want = torch.logsumexp(F.double() @ G.double().T, dim=1)
    assert float(want.max()) > 89  # exp of such a logit overflows in float32
    got = td.log_partition(F, G)
    assert got.dtype == torch.float32 and bool(torch.isfinite(got).all())
    torch.testing.assert_close(got.double(), want, rtol=1e-5, atol=1e-4)


# ---- large logits ---------------------------------------------------------


@pytest.mark.parametrize("scale", [3.0, 5.0, 8.0])
def test_divergences_agree_at_large_logits(scale: float) -> None:
    """Regression: Hellinger came out inf and chi2 NaN or inf (q expm1(d)^2 overflowing) where numpy is finite."""
    pair = random_pair(50, 8, 3, seed=1, scale=scale)
    div = td.distribution_divergences(*pair.t(), block_size=9)
    for f in DIV_FIELDS:
        want = NUMPY_DIV[f](pair.p, pair.q)
        got = float(getattr(div, f))
        assert not math.isnan(got), f
        close(f"{f} at scale {scale}", got, want, rtol=1e-8)
    assert 0.0 <= float(div.hellinger) <= 1.0
    assert math.isfinite(float(div.chi2)) == math.isfinite(nd.chi2_divergence(pair.p, pair.q))


# ---------------------------------------------------------------------------
# 2. Theorem 3.1's reference instance
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kl_vanishing_pair() -> Pair:
    c = kl_vanishing(rho=3.0, per_label=500)
    return Pair(c.p.F, c.p.G, c.q.F, c.q.G)


def test_kl_vanishing_llv_and_pivots(kl_vanishing_pair: Pair) -> None:
    pair = kl_vanishing_pair
    t = pair.t()
    want = nd.llv(pair.p, pair.q)
    got = td.llv(*t)
    assert (want.label_pivot, want.left_out) == (3, 2)
    assert_llv_equal(got, want)
    # The exact tie built into the construction: (4, 5) gives the same T1 (up to rounding).
    tie = td.llv(*t, label_pivot=4, left_out=5, input_set=got.input_set)
    assert tie.t1 == pytest.approx(got.t1, rel=TIE_RTOL)
    assert_llv_equal(tie, nd.llv(pair.p, pair.q, label_pivot=4, left_out=5, input_set=got.input_set))
    div = td.distribution_divergences(*t)
    assert abs(float(div.kl) - 0.887) < 0.01
    assert abs(got.value - 1.318) < 0.01
    close("kl", div.kl, nd.kl_divergence(pair.p, pair.q))


def test_kl_vanishing_streamed(kl_vanishing_pair: Pair, small_blocks: None) -> None:
    pair = kl_vanishing_pair
    got = td.llv(*pair.t(), block_size=97)
    assert (got.label_pivot, got.left_out) == (3, 2)
    assert_llv_equal(got, nd.llv(pair.p, pair.q))


# ---------------------------------------------------------------------------
# 3. Identifiability class
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("cond", [1.0, 10.0, 1e3])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("swap", [False, True], ids=["p,q", "q,p"])
def test_identifiability_class_all_zero(cond: float, seed: int, swap: bool) -> None:
    c = identifiability(N=200, K=10, M=3, cond=cond, seed=seed)
    p, q = (c.q, c.p) if swap else (c.p, c.q)
    pair = Pair(p.F, p.G, q.F, q.G)
    t = pair.t()
    md = td.model_distances(*t)
    values = {f: getattr(md, f) for f in DIV_FIELDS + ("d_rep",)}
    values |= {f"llv.{f}": getattr(md.llv, f) for f in ("value", "t1", "t2", "t3", "t4")}
    values |= {"d_fg": md.fg.value, "d_svd_f": md.fg.d_svd_f, "d_svd_g": md.fg.d_svd_g}
    values["logit_distance"] = float(td.logit_distance(*t))
    values["llv_distance"] = float(td.llv_distance(*t))
    values["rep_distance"] = float(td.rep_distance(*t))
    for name, v in values.items():
        assert 0.0 <= v < ZERO_TOL, f"{name} = {v!r} on an identifiability class (cond={cond}, seed={seed})"
    assert abs(md.mcca - 1.0) < ZERO_TOL


def near_collinear_pair(seed: int, *, delta: float = 1e-8, cond: float = 1e3) -> Pair:
    """Equivalent pair with label 1 within ``delta`` of the line through labels 0 and 2 (M = 2), cond(A) = ``cond``.

    The same construction as in test_model_distances.py: subsets containing labels 0, 1, 2 have
    cond(L_S) ~ 1 / delta, which the old cut-off (1e12) kept.
    """
    c = identifiability(N=40, K=6, M=2, cond=cond, seed=seed)
    G = c.p.G.copy()
    d = G[2] - G[0]
    G[1] = G[0] + 0.4 * d + delta * np.array([-d[1], d[0]]) / np.linalg.norm(d)
    A, shift = c.params["A"], c.params["c"]
    return Pair(c.p.F, G, c.q.F, G @ np.linalg.inv(A) + shift)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rep_distance_near_collinear_subset_vanishes_and_matches_numpy(seed: int) -> None:
    """Regression: d_rep was ~1e-4..3e-3 (both implementations) on this exactly equivalent pair; now <= 1e-9 in both
    orders (measured <= 5.3e-10, in q's units, which are up to cond(A) = 1e3 larger), and torch equals numpy
    (measured gap <= 3e-11) because both skip the same samples."""
    pair = near_collinear_pair(seed)
    F, G, Fp, Gp = pair.t()
    for (a, b), t in (((pair.p, pair.q), (F, G, Fp, Gp)), ((pair.q, pair.p), (Fp, Gp, F, G))):
        got, want = float(td.rep_distance(*t)), nd.rep_distance(a, b)
        assert 0.0 <= got <= 1e-9 and 0.0 <= want <= 1e-9, (got, want)
        assert abs(got - want) <= 1e-10
    # a clearly non-equivalent pair: clearly positive, and torch = numpy to 1e-10 relative
    rng = np.random.default_rng(seed)
    F0, G0, Fp0, Gp0 = pair.arrays
    far = Pair(F0, G0, Fp0, Gp0 + 0.1 * rng.standard_normal(Gp0.shape))
    for t, (a, b) in ((far.t(), (far.p, far.q)), (far.t()[2:] + far.t()[:2], (far.q, far.p))):
        want = nd.rep_distance(a, b)
        assert want > 1e-2
        close("rep_distance far", td.rep_distance(*t), want, rtol=1e-10, atol=0.0)


def test_rep_distance_m1_rounding_level_difference_is_skipped() -> None:
    """M = 1: cond(L_S) is 1 even when g(y_1) - g(y_0) is rounding; kappa = max |g| / |g(y_1) - g(y_0)| catches it."""
    rng = np.random.default_rng(0)
    F = rng.standard_normal((20, 1))
    G = rng.standard_normal((5, 1)) + 3.0
    G[1] = G[0] * (1.0 + 1e-12)
    pair = Pair(F, G, 30.0 * F, G / 30.0 + 2.5)
    F_, G_, Fp, Gp = pair.t()
    assert float(td.rep_distance(F_, G_, Fp, Gp)) <= 1e-9
    assert float(td.rep_distance(Fp, Gp, F_, G_)) <= 1e-9
    close("rep m1", td.rep_distance(F_, G_, Fp, Gp), nd.rep_distance(pair.p, pair.q), rtol=0.0, atol=1e-10)


def test_rep_sample_choice_is_dtype_independent() -> None:
    """The kappa of each sample is computed in float64, so float32 inputs keep the samples their float64 values keep."""
    pair = near_collinear_pair(0, delta=1e-4)  # kappa ~1e4, which a float32 SVD would get only to ~1e-3 relative
    G32 = pair.t(torch.float32)[1]
    pivots, subsets = rep_pivots(6, 2, 100, 0)
    piv, sub = torch.as_tensor(pivots), torch.as_tensor(subsets)
    kappa32 = td._rep_conditioning(G32, piv, sub)
    assert kappa32.dtype == torch.float64
    want = [rep_conditioning(G32.double().numpy(), int(y0), S) for y0, S in zip(pivots, subsets, strict=True)]
    np.testing.assert_allclose(kappa32.numpy(), want, rtol=1e-12)
    assert float(kappa32.max()) > 1e3


@pytest.mark.parametrize("eps", [1e-7, 1e-5])
@pytest.mark.parametrize("seed", [0, 1])
def test_near_identifiability_class_relative_precision(eps: float, seed: int) -> None:
    """Perturb a class member by eps: small distances keep their relative digits in both implementations.

    Regression: the textbook ``p d - p + q`` form of KL (and its JS analogue) carried an
    absolute error ~1e-15, a relative error ~1e-5 on the divergences (~1e-13) at eps = 1e-7.
    Tolerances: the divergences are now computed by the same formulas as numpy's from
    log-likelihoods that differ by rounding (~1e-15 absolute, amplified by 1/|d| ~ 1e7 at most
    at eps = 1e-7); measured gaps <= 5e-11, so rtol 1e-8. d_LLV's terms are ~eps and differ by
    numpy's own rounding of the K x N matrix (~1e-16 / eps): measured <= 3e-9 at eps = 1e-7,
    so rtol 1e-7 (an mpmath check at eps = 1e-8 put torch 6x closer to the exact value).
    """
    c = identifiability(N=120, K=8, M=3, cond=10.0, seed=seed)
    rng = np.random.default_rng(seed)
    pair = Pair(
        c.p.F, c.p.G, c.q.F + eps * rng.standard_normal(c.q.F.shape), c.q.G + eps * rng.standard_normal(c.q.G.shape)
    )
    t = pair.t()
    div = td.distribution_divergences(*t)
    for f in DIV_FIELDS:
        want = NUMPY_DIV[f](pair.p, pair.q)
        assert 0 < want < 1e-3
        close(f"{f} near the class (eps={eps})", getattr(div, f), want, rtol=1e-8, atol=0.0)
    assert_llv_equal(td.llv(*t), nd.llv(pair.p, pair.q), rtol=1e-7, atol=0.0)
    # d_SVD ~ eps^2 here, clipped at 0: subsets tie, so the worst subset is not compared.
    assert_fg_equal(td.fg_dissimilarity(*t), nd.fg_dissimilarity(pair.p, pair.q), check_worst=False)


# ---------------------------------------------------------------------------
# 4. dtype and device
# ---------------------------------------------------------------------------


def test_float32_in_float32_out_and_close_to_float64() -> None:
    pair = random_pair(80, 12, 3, seed=6)
    t64, t32 = pair.t(), pair.t(torch.float32)
    ref = td.llv(*t64)
    fixed: dict[str, Any] = {"label_pivot": ref.label_pivot, "left_out": ref.left_out, "input_set": ref.input_set}

    v32 = td.llv_distance(*t32, **fixed)
    assert v32.dtype == torch.float32 and v32.device == t32[0].device
    close("llv_distance f32", v32, ref.value, rtol=F32_RTOL, atol=F32_ATOL)
    res32 = td.llv(*t32, **fixed)
    for f in ("t1", "t2", "t3", "t4"):
        close(f"llv.{f} f32", getattr(res32, f), getattr(ref, f), rtol=F32_RTOL, atol=F32_ATOL)

    for name, fn in (("logit_distance", td.logit_distance), ("rep_distance", td.rep_distance)):
        a, b = fn(*t32), fn(*t64)
        assert a.dtype == torch.float32, name
        close(name, a, float(b), rtol=F32_RTOL, atol=F32_ATOL)

    d32, d64 = td.distribution_divergences(*t32), td.distribution_divergences(*t64)
    for f in DIV_FIELDS + ("lse_p", "lse_q"):
        a, b = getattr(d32, f), getattr(d64, f)
        assert a.dtype == torch.float32, f
        torch.testing.assert_close(a.double(), b, rtol=F32_RTOL, atol=F32_ATOL)
    fd = td.fg_distance(*t32, **fixed)
    assert fd.dtype == torch.float32
    close("fg_distance f32", fd, td.fg_dissimilarity(*t64, llv_result=ref).value, rtol=F32_RTOL, atol=F32_ATOL)
    s32 = td.svd_similarity(t32[0], t32[2])
    assert s32.dtype == torch.float32
    close("svd_similarity f32", s32, nd.svd_similarity(pair.arrays[0], pair.arrays[2]), rtol=F32_RTOL, atol=F32_ATOL)
    lp = td.log_partition(t32[0], t32[1])
    assert lp.dtype == torch.float32


def test_float32_search_runs_and_reports_floats() -> None:
    pair = random_pair(60, 9, 3, seed=0)
    res = td.llv(*pair.t(torch.float32))
    assert isinstance(res.value, float) and isinstance(res.label_pivot, int)
    md = td.model_distances(*pair.t(torch.float32))
    assert all(isinstance(v, float) for k, v in md.to_dict().items() if k != "llv")


def test_float32_divergences_at_moderate_logits_are_not_nan() -> None:
    """Regression: in float32 q expm1(d/2)^2 and q expm1(d)^2 gave NaN once |d| passed ~44-177."""
    pair = random_pair(50, 8, 3, seed=1, scale=4.0)
    d32 = td.distribution_divergences(*pair.t(torch.float32))
    d64 = td.distribution_divergences(*pair.t())
    for f in DIV_FIELDS:
        assert not math.isnan(float(getattr(d32, f))), f
    close("hellinger f32", d32.hellinger, float(d64.hellinger), rtol=F32_RTOL, atol=F32_ATOL)


@pytest.mark.parametrize(
    ("fn", "name"),
    [
        (td.llv_distance, "llv_distance"),
        (td.llv, "llv"),
        (td.logit_distance, "logit_distance"),
        (td.rep_distance, "rep_distance"),
        (td.distribution_divergences, "distribution_divergences"),
        (td.kl_divergence, "distribution_divergences"),
        (td.fg_dissimilarity, "fg_dissimilarity"),
        (td.model_distances, "model_distances"),
    ],
)
def test_mixed_dtypes_raise_type_error(fn: Any, name: str) -> None:
    F, G, Fp, Gp = random_pair(20, 5, 2, seed=0).t()
    with pytest.raises(
        TypeError, match=rf"^{name}: F, G, Fp and Gp must share one dtype; got torch.float64, torch.float32"
    ):
        fn(F, G.float(), Fp, Gp)


def test_integer_tensors_become_float64() -> None:
    rng = np.random.default_rng(3)
    arrays = [rng.integers(-3, 4, size=s) for s in ((30, 2), (6, 2), (30, 2), (6, 2))]
    ints = [torch.tensor(a) for a in arrays]
    assert ints[0].dtype == torch.int64
    pair = Pair(*arrays)
    v = td.llv_distance(*ints)
    assert v.dtype == torch.float64
    close("llv int", v, nd.llv_distance(pair.p, pair.q))
    lg = td.logit_distance(*ints)
    assert lg.dtype == torch.float64
    close("logit int", lg, nd.logit_distance(pair.p, pair.q))
    assert td.rep_distance(*ints).dtype == torch.float64
    assert td.distribution_divergences(*ints).kl.dtype == torch.float64
    assert td.fg_distance(*ints).dtype == torch.float64
    # an integer tensor mixed with float32 is float64 against float32: refused
    with pytest.raises(TypeError, match="must share one dtype"):
        td.logit_distance(ints[0], ints[1].float(), ints[2].float(), ints[3].float())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_agrees_with_numpy() -> None:
    prev = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False  # metrics are computed with TF32 off
    try:
        for N, K, M in SHAPES:
            pair = random_pair(N, K, M, seed=0)
            tc = pair.t(device="cuda")
            assert_model_distances_equal(td.model_distances(*tc), nd.model_distances(pair.p, pair.q))
            v = td.llv_distance(*tc)
            assert v.device.type == "cuda" and v.dtype == torch.float64
            assert td.logit_distance(*tc).device.type == "cuda"
            assert td.distribution_divergences(*tc).kl.device.type == "cuda"
            assert td.log_partition(tc[0], tc[1]).device.type == "cuda"
            v32 = td.llv_distance(*pair.t(torch.float32, "cuda"))
            assert v32.dtype == torch.float32 and v32.device.type == "cuda"
        with pytest.raises(ValueError, match="must be on one device"):
            F, G, Fp, Gp = random_pair(20, 5, 2, seed=0).t()
            td.logit_distance(F.cuda(), G, Fp, Gp)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = prev


# ---------------------------------------------------------------------------
# 5. Differentiability
# ---------------------------------------------------------------------------


def _grad_inputs(seed: int = 0, N: int = 9, K: int = 6, M: int = 2) -> Quad:
    F, G, Fp, Gp = random_pair(N, K, M, seed).t()
    return tuple(x.clone().requires_grad_(True) for x in (F, G, Fp, Gp))  # type: ignore[return-value]


FIXED: dict[str, Any] = {"label_pivot": 1, "left_out": 4, "input_set": (0, 3, 5)}


def test_gradcheck_llv_distance() -> None:
    inputs = _grad_inputs()
    assert torch.autograd.gradcheck(lambda *a: td.llv_distance(*a, **FIXED), inputs)
    assert torch.autograd.gradcheck(lambda *a: td.llv_distance(*a, lam=1e3, **FIXED), inputs)  # scale terms
    # The value is a max of the four terms: check each term's gradient on its own (private helper).
    for term in ("t1", "t2", "t3", "t4"):

        def fn(*a: torch.Tensor, term: str = term) -> torch.Tensor:
            res, _ = td._llv_impl(
                "llv", *a, num_samples=1, seed=0, lam=1e-5, lse=None, block_size=None, progress=False, **FIXED
            )
            return getattr(res, term)

        assert torch.autograd.gradcheck(fn, inputs), term


def test_gradcheck_logit_and_rep_distance() -> None:
    inputs = _grad_inputs(seed=1)
    assert torch.autograd.gradcheck(td.logit_distance, inputs)
    assert torch.autograd.gradcheck(lambda *a: td.rep_distance(*a, num_samples=5, seed=2), inputs)


@pytest.mark.parametrize("field", DIV_FIELDS)
def test_gradcheck_divergences(field: str) -> None:
    F, G, Fp, Gp = _grad_inputs(seed=2)
    G, Fp, Gp = G.detach(), Fp.detach(), Gp.detach()
    assert torch.autograd.gradcheck(
        lambda f: getattr(td.distribution_divergences(f, G, Fp, Gp, block_size=4), field), (F,)
    )


def test_kl_gradient_matches_finite_differences() -> None:
    F, G, Fp, Gp = (x.detach() for x in _grad_inputs(seed=3))
    F = F.clone().requires_grad_(True)
    td.distribution_divergences(F, G, Fp, Gp).kl.backward()
    assert F.grad is not None

    def pair(f: Arr) -> tuple[SoftmaxModel, SoftmaxModel]:
        return SoftmaxModel(f, G.numpy()), SoftmaxModel(Fp.numpy(), Gp.numpy())

    h = 1e-6
    fd = np.zeros(F.shape)
    base = F.detach().numpy()
    for idx in np.ndindex(*F.shape):
        plus, minus = base.copy(), base.copy()
        plus[idx] += h
        minus[idx] -= h
        fd[idx] = (nd.kl_divergence(*pair(plus)) - nd.kl_divergence(*pair(minus))) / (2 * h)
    np.testing.assert_allclose(F.grad.numpy(), fd, rtol=1e-6, atol=1e-8)


def test_llv_gradient_finite_at_random_point_with_search() -> None:
    inputs = _grad_inputs(seed=4, N=40, K=8, M=3)
    v = td.llv_distance(*inputs)
    v.backward()
    for name, x in zip(("F", "G", "Fp", "Gp"), inputs, strict=True):
        assert x.grad is not None and bool(torch.isfinite(x.grad).all()), name
    assert any(float(x.grad.abs().max()) > 0 for x in inputs if x.grad is not None)


def test_divergence_gradients_finite_at_p_equal_q() -> None:
    F, G, _, _ = _grad_inputs(seed=5)
    div = td.distribution_divergences(F, G, F.detach().clone(), G.detach().clone())
    for f in DIV_FIELDS:
        assert float(getattr(div, f).detach()) == pytest.approx(0.0, abs=1e-12), f
    total = sum(getattr(div, f) for f in DIV_FIELDS)
    total.backward()
    assert F.grad is not None and bool(torch.isfinite(F.grad).all())


# ---------------------------------------------------------------------------
# 6. Degenerate and invalid inputs
# ---------------------------------------------------------------------------


def _duplicated_label_pair(seed: int) -> Pair:
    rng = np.random.default_rng(seed)
    F, G, Fp, Gp = (rng.standard_normal(s) for s in ((40, 3), (7, 3), (40, 3), (7, 3)))
    G[4], Gp[4] = G[1], Gp[1]  # label 4 duplicates label 1 in both models
    return Pair(F, G, Fp, Gp)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_duplicated_label_search_agrees(seed: int) -> None:
    pair = _duplicated_label_pair(seed)
    t = pair.t()
    want = nd.llv(pair.p, pair.q)
    got = td.llv(*t)
    assert_llv_equal(got, want)
    # admissible: if a duplicate is the pivot, its twin is the one left out
    if got.label_pivot in (1, 4):
        assert got.left_out == 5 - got.label_pivot
    for pivot in (1, 4):  # pivot fixed on a duplicate: the twin must be left out
        res = td.llv(*t, label_pivot=pivot)
        assert res.left_out == 5 - pivot
        assert_llv_equal(res, nd.llv(pair.p, pair.q, label_pivot=pivot))
    assert_model_distances_equal(td.model_distances(*t), nd.model_distances(pair.p, pair.q))


@pytest.mark.parametrize("fn_name", ["llv", "llv_distance"])
def test_explicit_pivots_with_zero_sigma_raise(fn_name: str) -> None:
    t = _duplicated_label_pair(0).t()
    fn = getattr(td, fn_name)
    with pytest.raises(DegenerateInputError, match=rf"^{fn_name}: every sigma of Def\. 4\.4 must be positive") as info:
        fn(*t, label_pivot=1, left_out=0, input_set=(0, 1, 2, 3))
    assert "label(s) [4] with pivot 1" in str(info.value)
    assert "in model p" in str(info.value)


def test_explicit_input_set_with_duplicated_input_raises() -> None:
    pair = _duplicated_label_pair(1)
    F, G, Fp, Gp = (a.copy() for a in pair.arrays)
    F[7], Fp[7] = F[2], Fp[2]  # input 7 duplicates input 2 in both models
    t = Pair(F, G, Fp, Gp).t()
    for xs in ((2, 7, 0, 1), (2, 0, 1, 7)):
        with pytest.raises(
            DegenerateInputError, match=r"^llv_distance: every tau of Def\. 4\.4 must be positive"
        ) as info:
            td.llv_distance(*t, label_pivot=0, left_out=2, input_set=xs)
        assert "input(s) [7] with pivot 2" in str(info.value)
    # the search skips such tuples instead, and agrees with numpy
    res = td.llv(*t, label_pivot=0, left_out=2)
    assert_llv_equal(res, nd.llv(Pair(F, G, Fp, Gp).p, Pair(F, G, Fp, Gp).q, label_pivot=0, left_out=2))


def test_svd_similarity_constant_column_raises() -> None:
    """Degenerate policy as numpy: constant up to rounding (sd <= 1e-12 x max |entry|) raises."""
    rng = np.random.default_rng(0)
    Z, Zp = rng.standard_normal((10, 3)), rng.standard_normal((10, 3))
    Z[:, 1] = 0.3 + 1e-15 * np.arange(10)
    with pytest.raises(DegenerateInputError, match=r"constant column"):
        nd.svd_similarity(Z, Zp)
    with pytest.raises(
        DegenerateInputError, match=r"^svd_similarity: every column of Z must vary.*constant column\(s\) \[1\] in Z"
    ):
        td.svd_similarity(torch.tensor(Z), torch.tensor(Zp))
    with pytest.raises(DegenerateInputError, match=r"constant column\(s\) \[2\] in Zp"):
        Zb = torch.tensor(Zp).expand(2, 10, 3).clone()
        Zpb = torch.tensor(rng.standard_normal((2, 10, 3)))
        Zpb[1, :, 2] = 0.0
        td.svd_dissimilarity(Zb, Zpb)


def _expect(exc: type[Exception], pattern: str, fn: Any, *args: Any, **kwargs: Any) -> None:
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    assert re.search(pattern, str(info.value)), f"message {str(info.value)!r} does not match {pattern!r}"


def test_rep_distance_all_samples_ill_conditioned_raises() -> None:
    pair = random_pair(30, 5, 2, seed=0)
    F, G, Fp, _ = pair.t()
    flat = torch.ones_like(G)  # every g(y_i) - g(y_0) is zero
    message = (
        "rep_distance: d_rep needs label subsets whose differences g(y_i) - g(y_0) are well conditioned "
        "(kappa = max(sigma_max, max ||g||) / sigma_min <= 4.5e+05) in both models; "
        "got all 100 sampled (y_0, S) pairs ill-conditioned (seed=0). "
        "Check that the unembeddings G of both models span M dimensions after removing a common shift, "
        "with differences well above rounding relative to their norms."
    )
    _expect(DegenerateInputError, f"^{re.escape(message)}$", td.rep_distance, F, G, Fp, flat)


def test_k_below_three_raises() -> None:
    t = random_pair(10, 2, 1, seed=0).t()
    _expect(ValueError, r"^llv_distance: d_LLV needs K >= 3 labels .*; got K=2\.", td.llv_distance, *t)
    _expect(ValueError, r"^llv: d_LLV needs K >= 3 labels .*; got K=2\.", td.llv, *t)


@pytest.mark.parametrize("name", ["llv_distance", "llv", "rep_distance", "fg_dissimilarity", "model_distances"])
def test_diversity_violations_raise(name: str) -> None:
    fn = getattr(td, name)
    t = random_pair(10, 3, 3, seed=0).t()  # K < M + 1
    _expect(ValueError, rf"^{name}: the diversity condition needs K >= M \+ 1 labels; got K=3, M=3\.", fn, *t)
    t = random_pair(3, 6, 3, seed=0).t()  # N < M + 1
    _expect(ValueError, rf"^{name}: the diversity condition needs N >= M \+ 1 inputs; got N=3, M=3\.", fn, *t)


@pytest.mark.parametrize(
    "name",
    [
        "llv_distance",
        "logit_distance",
        "rep_distance",
        "distribution_divergences",
        "fg_dissimilarity",
        "model_distances",
    ],
)
def test_shape_dtype_and_value_errors_name_function_and_parameter(name: str) -> None:
    fn = getattr(td, name)
    F, G, Fp, Gp = random_pair(20, 6, 2, seed=0).t()
    _expect(
        ValueError,
        rf"^{name}: the two models must have the same number of inputs N \(rows of F and Fp\); got F\(20, 2\), G\(6, 2\), Fp\(19, 2\)",
        fn,
        F,
        G,
        Fp[:-1],
        Gp,
    )
    _expect(
        ValueError,
        rf"^{name}: the two models must have the same number of labels K \(rows of G and Gp\); got .*Gp\(5, 2\)",
        fn,
        F,
        G,
        Fp,
        Gp[:-1],
    )
    _expect(
        ValueError,
        rf"^{name}: all four matrices must have the same number of columns \(the dimension M\); got .*Fp\(20, 1\)",
        fn,
        F,
        G,
        Fp[:, :1],
        Gp,
    )
    bad = Fp.clone()
    bad[3, 1] = float("nan")
    _expect(
        ValueError, rf"^{name}: Fp must contain only finite values; got 1 non-finite entry in Fp\.", fn, F, G, bad, Gp
    )
    badG = G.clone()
    badG[0, 0] = float("inf")
    _expect(ValueError, rf"^{name}: G must contain only finite values", fn, F, badG, Fp, Gp)
    _expect(ValueError, rf"^{name}: F must have at least 2 dimensions; got F\.shape=\(20,\)\.", fn, F[:, 0], G, Fp, Gp)
    _expect(ValueError, rf"^{name}: Gp must be a 2-D matrix; got Gp\.shape=\(1, 6, 2\)\.", fn, F, G, Fp, Gp[None])
    _expect(TypeError, rf"^{name}: G must be a torch\.Tensor; got ndarray\.", fn, F, G.numpy(), Fp, Gp)
    _expect(
        TypeError,
        rf"^{name}: F must be real-valued; got F\.dtype=torch\.complex128\.",
        fn,
        F.to(torch.complex128),
        G,
        Fp,
        Gp,
    )


def test_choice_validation_messages() -> None:
    t = random_pair(20, 6, 2, seed=0).t()
    _expect(
        ValueError,
        r"^llv_distance: every index in label_pivot must lie in \[0, 5\] \(6 labels\); got label_pivot=\[6\]",
        td.llv_distance,
        *t,
        label_pivot=6,
    )
    _expect(ValueError, r"^llv: every index in left_out must lie in \[0, 5\]", td.llv, *t, left_out=-1)
    _expect(
        ValueError,
        r"^llv_distance: label_pivot and left_out must be different labels; got label_pivot=2, left_out=2",
        td.llv_distance,
        *t,
        label_pivot=2,
        left_out=2,
    )
    _expect(
        ValueError,
        r"^llv_distance: input_set must have exactly 3 entries; got 2 entries",
        td.llv_distance,
        *t,
        input_set=(0, 1),
    )
    _expect(
        ValueError,
        r"^llv_distance: the indices in input_set must be distinct; got input_set=\[0, 1, 1\] \(repeated: \[1\]\)",
        td.llv_distance,
        *t,
        input_set=(0, 1, 1),
    )
    _expect(
        ValueError,
        r"^llv_distance: every index in input_set must lie in \[0, 19\] \(20 inputs\)",
        td.llv_distance,
        *t,
        input_set=(0, 1, 20),
    )
    _expect(TypeError, r"^llv_distance: label_pivot must contain integer indices", td.llv_distance, *t, label_pivot=1.0)
    _expect(ValueError, r"^llv_distance: lam must lie in \[0\.0, inf\); got lam=-1\.0", td.llv_distance, *t, lam=-1.0)
    _expect(
        ValueError, r"^llv_distance: num_samples must be >= 1; got num_samples=0", td.llv_distance, *t, num_samples=0
    )
    _expect(
        ValueError, r"^rep_distance: num_samples must be >= 1; got num_samples=0", td.rep_distance, *t, num_samples=0
    )
    _expect(
        ValueError,
        r"^block_size: block_size must be >= 1; got block_size=0",
        td.distribution_divergences,
        *t,
        block_size=0,
    )


def test_svd_similarity_validation_messages() -> None:
    Z = torch.randn(5, 2, dtype=torch.float64)
    _expect(
        ValueError,
        r"^svd_similarity: Z and Zp must have the same shape; got Z\.shape=\(5, 2\) and Zp\.shape=\(4, 2\)",
        td.svd_similarity,
        Z,
        Z[:4],
    )
    _expect(
        ValueError,
        r"^svd_similarity: Z must have at least 2 rows; got Z\.shape=\(1, 2\)",
        td.svd_similarity,
        Z[:1],
        Z[:1],
    )
    _expect(
        ValueError,
        r"^svd_similarity: Z must have at least 2 dimensions; got Z\.shape=\(5,\)",
        td.svd_similarity,
        Z[:, 0],
        Z[:, 0],
    )


def test_small_n_below_joint_feature_width() -> None:
    """Regression: N < 2M + 2 made the (N x (2M+2)) QR factor short and llv raise IndexError."""
    for N, K, M in ((4, 6, 3), (5, 8, 4), (3, 5, 2), (2, 4, 1)):
        pair = random_pair(N, K, M, seed=N + K)
        t = pair.t()
        assert_llv_equal(td.llv(*t), nd.llv(pair.p, pair.q))
        assert_fg_equal(td.fg_dissimilarity(*t), nd.fg_dissimilarity(pair.p, pair.q), check_worst=M > 1)
        close("rep", td.rep_distance(*t), nd.rep_distance(pair.p, pair.q))
        close("logit", td.logit_distance(*t), nd.logit_distance(pair.p, pair.q))


# ---------------------------------------------------------------------------
# 7. Property: torch equals numpy on random well-conditioned models
# ---------------------------------------------------------------------------


@st.composite
def model_sizes(draw: st.DrawFn) -> tuple[int, int, int, int, float]:
    M = draw(st.integers(1, 3))
    K = draw(st.integers(max(3, M + 2), 8))
    N = draw(st.integers(M + 1, 30))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([0.5, 1.0, 2.0]))
    return N, K, M, seed, scale


@settings(max_examples=25, deadline=None)
@given(model_sizes())
@example((2, 3, 1, 0, 1.0))  # the smallest admissible problem
@example((3, 4, 2, 1, 1.0))  # N = M + 1 < 2M + 2: the short QR factor
@example((30, 8, 3, 2, 2.0))
def test_property_torch_equals_numpy(sizes: tuple[int, int, int, int, float]) -> None:
    N, K, M, seed, scale = sizes
    pair = random_pair(N, K, M, seed, scale=scale)
    t = pair.t()
    want = nd.llv(pair.p, pair.q)
    got = td.llv(*t)
    note(f"numpy {want}\ntorch {got}")
    assert_llv_equal(got, want)
    # M = 1: every subset gives the same d_SVD (a column rescaling), so the worst subset is a rounding tie.
    assert_fg_equal(td.fg_dissimilarity(*t), nd.fg_dissimilarity(pair.p, pair.q), check_worst=M > 1)
    div = td.distribution_divergences(*t, block_size=5)
    for f in DIV_FIELDS:
        close(f, getattr(div, f), NUMPY_DIV[f](pair.p, pair.q))


# ----------------------------------------------------------------------------- the two input-side routes


@pytest.mark.parametrize("shape", [(60, 9, 3), (200, 40, 4), (30, 2500, 2)])
def test_label_coordinate_route_equals_rg_route(shape: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """With a fixed input set the input side streams label chunks instead of factoring R_G: same terms."""
    N, K, M = shape
    rng = np.random.default_rng(7)
    F, G, Fp, Gp = (torch.tensor(rng.normal(size=s)) for s in ((N, M), (K, M), (N, M), (K, M)))
    monkeypatch.setattr(td, "LABEL_CHUNK", 7)  # several chunks even for small K
    lse = (td.log_partition(F, G), td.log_partition(Fp, Gp))
    with_rg = td._factors(F, G, Fp, Gp, *lse, with_rg=True)
    without = td._factors(F, G, Fp, Gp, *lse, with_rg=False)
    assert without.RG is None
    xs = tuple(range(3, 3 + M + 1))
    a = td._llv_fixed(with_rg, F, G, Fp, Gp, 0, 1, xs, 1e-5)
    b = td._llv_fixed(without, F, G, Fp, Gp, 0, 1, xs, 1e-5)
    for name in ("value", "t1", "t2", "t3", "t4"):
        torch.testing.assert_close(getattr(b, name), getattr(a, name), rtol=1e-10, atol=1e-13)
    res = td.llv(F, G, Fp, Gp, label_pivot=0, left_out=1, input_set=xs)
    fa = td._fg_from_factors("fg", with_rg, F, G, Fp, Gp, res, 50, 0, 8)
    fb = td._fg_from_factors("fg", without, F, G, Fp, Gp, res, 50, 0, 8)
    assert fb.d_svd_g == pytest.approx(fa.d_svd_g, rel=1e-10, abs=1e-13)
    assert fb.d_svd_f == fa.d_svd_f


@pytest.mark.parametrize("seed", [0, 2, 3, 5])
def test_scaled_log_likelihoods_give_zero_c_terms(seed: int) -> None:
    """If q's logits are 3.1 x p's, then c(i) = e(i) = 0 exactly: T2 must come out at rounding level.

    Expanding |alpha D + (alpha - beta) z'|^2 into three scalars cancels here and leaves
    about 1e-8 for these seeds (measured); the direct vector norms leave about 1e-16.
    """
    rng = np.random.default_rng(seed)
    N, K, M = 80, 12, 3
    F = rng.normal(size=(N, M))
    G = rng.normal(size=(K, M))
    args = [torch.tensor(a) for a in (F, G, 3.1 * F, G)]
    fixed = td.llv(*args, label_pivot=0, left_out=1, input_set=list(range(M + 1)))  # label-coordinate route
    searched = td.llv(*args, label_pivot=0, left_out=1)  # R_G route
    assert fixed.t2 < 1e-12 and searched.t2 < 1e-12
    assert fixed.t1 > 1e-3  # the label side does see the difference (the log-partitions differ)


@pytest.mark.parametrize(
    ("offset", "scale"),
    [(0.0, 1.0), (300.0, 1.0), (0.0, 100.0), (300.0, 100.0)],
    ids=["no-shift", "mean-shift", "max-shift", "max-shift-offset"],
)
def test_log_partition_each_route(offset: float, scale: float) -> None:
    """The three routes of log_partition (no shift, shift by f.gbar, max shift) each match logsumexp.

    A common offset in G makes every logit large while the centred ones stay small (the
    mean-shift route); a large F makes the centred logits large too (the max route).
    """
    rng = np.random.default_rng(11)
    F = torch.tensor(rng.normal(size=(50, 4))) * scale
    G = torch.tensor(rng.normal(size=(30, 4))) + offset
    want = torch.logsumexp(F @ G.T, dim=1)
    got = td.log_partition(F, G, block_size=16)
    torch.testing.assert_close(got, want, rtol=1e-13, atol=1e-10)
