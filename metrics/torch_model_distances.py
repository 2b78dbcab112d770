"""Scalable torch implementation of the model distances (CPU or CUDA).

The numpy reference (:mod:`metrics.model_distances`) materialises the K x N
log-likelihood matrix. This module never does: it streams the logits in
blocks of inputs once, to get ``lse(x) = logsumexp_y f(x).g(y)`` per input
(and, in the same pass, the averaged f-divergences), and computes every
variance of Def. 4.4 from QR factors of small joint feature matrices
(MATH.md section 7):

* over inputs, ``log p(y|x) = g(y).f(x) - lse(x)`` is linear in
  ``phi(x) = (f(x), lse(x))``; with ``R`` the triangular factor of the centred
  joint features ``[F, lse, F', lse']`` (N x (2M+2)), the centred log-likelihood
  of label y is ``Q u_y`` with ``u_y = R w_y`` and every standard deviation over
  inputs is ``||(combination of u's)|| / sqrt(N - 1)``;
* over labels, the centred ``[G, G']`` (K x 2M) gives ``R_G`` the same way.

Precision: near the identifiability class the two models' vectors ``u_y`` and
``u'_y`` nearly coincide. Every term is therefore computed from the explicit
difference ``D_y = u_y - u'_y`` (and the scale difference
``sigma'^2 - sigma^2 = |delta|^2 - 2 v.delta``), never as a difference of two
large quadratic forms. Distances on an identifiability class come out at
rounding level (below 1e-9 for cond(A) up to 1e3 in the tests). One exception,
by design: the exhaustive pivot search gets each label pair's scale
``sigma(y, y0)^2`` from a Gram expansion ``|u_y|^2 + |u_y0|^2 - 2 u_y.u_y0``
(that is what makes it O(K^2 M)); this only affects which pivots win, and the
reported terms are recomputed at the chosen pivots by the precise route.

Cost with the pivots fixed: the logits GEMMs (2 N K M flops per model), which
are the floor, plus O((N + K) M^2). The exhaustive label-pivot search costs
O(K^2 M) in blocks of pivots with bounded memory.

All functions take the four matrices ``F, G, Fp, Gp`` (model p: F, G; model
q: Fp, Gp) as tensors, keep their dtype and device, and (with every random
choice fixed) are differentiable in all four.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import torch
from torch import Tensor

from metrics._pivots import (
    DEFAULT_LAM,
    DEFAULT_MAX_SUBSETS,
    DEFAULT_NUM_SAMPLES,
    DEFAULT_REP_SAMPLES,
    REP_MAX_COND,
    SD_RTOL,
    improves,
    input_tuples,
    label_subsets,
    rep_pivots,
)
from metrics._validation import (
    DegenerateInputError,
    as_float_tensor,
    check_indices,
    check_positive_int,
    check_range,
    fail,
)
from metrics.models import FGResult, LLVResult, ModelDistances

__all__ = [
    "DistributionDivergences",
    "chi2_divergence",
    "distribution_divergences",
    "fg_dissimilarity",
    "fg_distance",
    "hellinger_distance",
    "js_divergence",
    "kl_divergence",
    "llv",
    "llv_distance",
    "log_partition",
    "logit_distance",
    "model_distances",
    "rep_distance",
    "reverse_kl_divergence",
    "svd_dissimilarity",
    "svd_similarity",
    "tv_distance",
]

#: Memory budget (bytes) for one block of logits and its temporaries in the streamed pass.
BLOCK_BYTES = 256 * 2**20
#: Memory budget (bytes) of the pivot search's work buffers (five blocks of pivots x K labels).
SEARCH_BYTES = 1024 * 2**20
#: Number of B x K temporaries the streamed divergence pass keeps alive at once (for block sizing).
_TEMPS_DIVERGENCES = 10
_TEMPS_LSE = 1
#: |logit| bound below which exp needs no max shift in float64 (exp overflows near 709.78).
_EXP_SAFE = 700.0


# ----------------------------------------------------------------------------- validation


def _check_seed(func: str, seed: Any) -> int:
    """A non-negative integer (every choice must be reproducible: no fresh entropy)."""
    return check_positive_int(func, "seed", seed, minimum=0)


def _check_models(func: str, F: Any, G: Any, Fp: Any, Gp: Any, *, need_diversity: bool = False) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Validate the four matrices of two models; return them (integers converted to float64)."""
    F = as_float_tensor(func, "F", F)
    G = as_float_tensor(func, "G", G)
    Fp = as_float_tensor(func, "Fp", Fp)
    Gp = as_float_tensor(func, "Gp", Gp)
    for name, t in (("F", F), ("G", G), ("Fp", Fp), ("Gp", Gp)):
        if t.ndim != 2:
            fail(func, f"{name} must be a 2-D matrix", f"{name}.shape={tuple(t.shape)}")
    if not (F.dtype == G.dtype == Fp.dtype == Gp.dtype):
        fail(func, "F, G, Fp and Gp must share one dtype", f"{F.dtype}, {G.dtype}, {Fp.dtype}, {Gp.dtype}", error=TypeError)
    if not (F.device == G.device == Fp.device == Gp.device):
        fail(func, "F, G, Fp and Gp must be on one device", f"{F.device}, {G.device}, {Fp.device}, {Gp.device}")
    shapes = f"F{tuple(F.shape)}, G{tuple(G.shape)}, Fp{tuple(Fp.shape)}, Gp{tuple(Gp.shape)}"
    if not (F.shape[1] == G.shape[1] == Fp.shape[1] == Gp.shape[1]):
        fail(func, "all four matrices must have the same number of columns (the dimension M)", shapes)
    if F.shape[0] != Fp.shape[0]:
        fail(func, "the two models must have the same number of inputs N (rows of F and Fp)", shapes)
    if G.shape[0] != Gp.shape[0]:
        fail(func, "the two models must have the same number of labels K (rows of G and Gp)", shapes)
    if need_diversity:
        N, M = F.shape
        K = G.shape[0]
        if K < M + 1:
            fail(func, "the diversity condition needs K >= M + 1 labels", f"K={K}, M={M}", "Use more labels or a smaller representation dimension.")
        if N < M + 1:
            fail(func, "the diversity condition needs N >= M + 1 inputs", f"N={N}, M={M}")
    return F, G, Fp, Gp


def _block_rows(K: int, dtype: torch.dtype, temps: int, block_size: int | None) -> int:
    if block_size is not None:
        return check_positive_int("block_size", "block_size", block_size)
    itemsize = torch.finfo(dtype).bits // 8
    return max(1, BLOCK_BYTES // max(1, K * itemsize * temps))


def _progress(total: int, desc: str, enabled: bool | None) -> Any:
    """A tqdm bar (to stderr), disabled when ``enabled`` is False or output is not a terminal."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="blk", disable=(None if enabled is None else not enabled), leave=False)


# ----------------------------------------------------------------------------- streamed pass


def log_partition(F: Tensor, G: Tensor, *, block_size: int | None = None) -> Tensor:
    """``lse(x_n) = logsumexp_k f(x_n).g(y_k)`` for every input, streamed in blocks of inputs.

    Never holds more than ``block_size`` x K logits (by default the block is
    sized to about 256 MiB of temporaries).

    Parameters
    ----------
    F : Tensor, shape (N, M)
    G : Tensor, shape (K, M)

    Returns
    -------
    Tensor, shape (N,), same dtype and device as ``F``.
    """
    N, K = F.shape[0], G.shape[0]
    B = _block_rows(K, F.dtype, _TEMPS_LSE, block_size)
    if F.requires_grad or G.requires_grad:
        return torch.cat([torch.logsumexp(F[s : s + B] @ G.T, dim=1) for s in range(0, N, B)])
    # No gradients needed: one preallocated block, every step in place, and no max pass
    # where a bound proves it unnecessary. Every logit obeys |f(x).g| <= |f(x)| max_k |g_k|;
    # shifting row x by f(x).gbar (gbar = mean unembedding) gives |f(x).(g - gbar)| <=
    # |f(x)| max_k |g_k - gbar|, which is small even when G has a large common offset. A block
    # whose rows are all below the bound needs no shift (exp can neither overflow, even summed
    # over K labels, nor underflow to zero); one whose shifted rows are needs one in-place
    # subtraction; the rest take the max-shifted route. G itself is never copied.
    # _EXP_SAFE is for float64 (exp overflows near 709.78); narrower dtypes overflow sooner
    # (float32 near 88.7), so the threshold scales with the dtype's log(max).
    limit = _EXP_SAFE * math.log(torch.finfo(F.dtype).max) / math.log(torch.finfo(torch.float64).max) - math.log(K)
    gbar = G.mean(dim=0)
    gnorm2 = torch.linalg.vector_norm(G, dim=1).square()
    # |g - gbar|^2 = |g|^2 - 2 g.gbar + |gbar|^2 (only a bound: rounding here is harmless, 1% margin)
    cnorm = (gnorm2 - 2 * (G @ gbar) + gbar.square().sum()).clamp_min(0).max().sqrt() * 1.01
    fnorm = torch.linalg.vector_norm(F, dim=1)
    plain_safe = fnorm * gnorm2.max().sqrt() * 1.01 <= limit
    centred_safe = fnorm * cnorm <= limit
    shift = F @ gbar
    out = F.new_empty(N)
    buf = F.new_empty(min(B, N), K)
    for start in range(0, N, B):
        sl = slice(start, min(N, start + B))
        logits = buf[: sl.stop - start]
        torch.matmul(F[sl], G.T, out=logits)
        if bool(plain_safe[sl].all()):
            out[sl] = logits.exp_().sum(dim=1).log_()
        elif bool(centred_safe[sl].all()):
            out[sl] = logits.sub_(shift[sl, None]).exp_().sum(dim=1).log_() + shift[sl]
        else:
            mx = logits.amax(dim=1, keepdim=True)
            out[sl] = logits.sub_(mx).exp_().sum(dim=1).log_() + mx.squeeze(1)
    return out


@dataclass(frozen=True)
class DistributionDivergences:
    """Averages over inputs of the divergences between p(.|x) and q(.|x), plus both log-partitions.

    Every field but ``lse_p`` and ``lse_q`` is a 0-dim tensor.
    """

    kl: Tensor
    kl_reverse: Tensor
    js: Tensor
    tv: Tensor
    hellinger: Tensor
    chi2: Tensor
    logit: Tensor
    lse_p: Tensor
    lse_q: Tensor


def _phi(d: Tensor) -> Tensor:
    """``d e^d - expm1(d) >= 0`` elementwise, for ``d <= 1`` (see ``metrics.model_distances._phi``)."""
    return (d * d.exp() - torch.expm1(d)).clamp_min(0)


def _kl_terms(d: Tensor, p: Tensor, q: Tensor) -> Tensor:
    """Non-negative summands of KL(p || q), ``d = log p - log q``: ``q phi(d)``, or ``p (d - 1) + q`` where d > 1.

    Both branches see clamped arguments, so neither gives inf/NaN values or gradients through
    ``torch.where``.
    """
    return torch.where(d > 1.0, p * (d.clamp_min(1.0) - 1.0) + q, q * _phi(d.clamp_max(1.0)))


def _block_divergences(L: Tensor, Lp: Tensor) -> tuple[Tensor, ...]:
    """Per-input divergences for one block of logits (B x K each)."""
    lse = torch.logsumexp(L, dim=1, keepdim=True)
    lsep = torch.logsumexp(Lp, dim=1, keepdim=True)
    ell = L - lse
    ellp = Lp - lsep
    p = ell.exp()
    q = ellp.exp()
    d = ell - ellp
    # KL(p||q) = sum_k q phi(d), phi(d) = d e^d - expm1(d) >= 0 (as the numpy reference): every
    # summand is non-negative and keeps its relative precision as p -> q. The textbook
    # p d - p + q carries an absolute error ~eps |ell| that swamps divergences below ~1e-12.
    kl = _kl_terms(d, p, q).sum(dim=1)
    kl_rev = _kl_terms(-d, q, p).sum(dim=1)
    # JS with m = (p + q) / 2: log max(p, q) - log m = -log1p(expm1(-|d|) / 2) in [0, ln 2], the
    # other log-ratio is that minus |d|; both summands q-phi-weighted as above (numpy's formula).
    s = d.abs()
    big_minus_m = -torch.log1p(0.5 * torch.expm1(-s))
    lm = torch.maximum(ell, ellp) - big_minus_m
    js = (0.5 * lm.exp() * (_phi(big_minus_m) + _phi(big_minus_m - s))).sum(dim=1).clamp(0, math.log(2.0))
    # |p - q| = max(p, q) (1 - e^{-|d|}): accurate when p ~ q (p - q cancels) and exactly symmetric.
    tv = 0.5 * (torch.maximum(ell, ellp).exp() * -torch.expm1(-s)).sum(dim=1)
    # (sqrt p - sqrt q)^2 = max(p, q) expm1(-|d|/2)^2: never overflows (q expm1(d/2)^2 does
    # once d exceeds ~2 log(max float), giving 0 * inf = NaN or inf).
    h2 = 0.5 * (torch.maximum(ell, ellp).exp() * torch.expm1(-0.5 * d.abs()).square()).sum(dim=1)
    # sqrt has an infinite derivative at 0; clamp first so that gradients stay finite at p = q.
    hel = h2.clamp_min(torch.finfo(h2.dtype).tiny).sqrt() * (h2 > 0)
    # q expm1(d)^2; where d > 1 it is evaluated in log space, exp(log q + 2 (d + log(-expm1(-d)))),
    # so that a huge e^d times a tiny q neither overflows early nor gives 0 * inf = NaN. Both
    # branches see clamped arguments, so neither produces inf/NaN gradients through torch.where.
    d_lo = d.clamp_max(1.0)
    d_hi = d.clamp_min(1.0)
    chi2_hi = torch.exp(ellp + 2 * (d_hi + torch.log(-torch.expm1(-d_hi))))
    chi2 = torch.where(d > 1.0, chi2_hi, q * torch.expm1(d_lo).square()).sum(dim=1)
    dc = d - d.mean(dim=1, keepdim=True)  # clr(p) - clr(q)
    logit2 = dc.square().sum(dim=1)
    return kl, kl_rev, js, tv, hel, chi2, logit2, lse.squeeze(1), lsep.squeeze(1)


def distribution_divergences(
    F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, *, block_size: int | None = None, progress: bool | None = False
) -> DistributionDivergences:
    """Every averaged divergence between two softmax models in one streamed pass over the logits.

    KL in both directions, Jensen-Shannon (natural log), total variation,
    Hellinger distance (per input ``sqrt(0.5 sum (sqrt p - sqrt q)^2)``),
    Pearson chi-squared ``sum (p - q)^2 / q`` and the logit distance
    ``sqrt(mean_n ||clr p - clr q||^2)``, each averaged over the N inputs, and
    the log-partitions of both models. Memory: ``block_size`` x K logits and
    about ten temporaries of that size.
    """
    func = "distribution_divergences"
    F, G, Fp, Gp = _check_models(func, F, G, Fp, Gp)
    N, K = F.shape[0], G.shape[0]
    B = _block_rows(K, F.dtype, _TEMPS_DIVERGENCES, block_size)
    acc: list[list[Tensor]] = [[] for _ in range(9)]
    with _progress(math.ceil(N / B), "divergences", progress) as bar:
        for start in range(0, N, B):
            sl = slice(start, start + B)
            parts = _block_divergences(F[sl] @ G.T, Fp[sl] @ Gp.T)
            for a, part in zip(acc, parts, strict=True):
                a.append(part)
            bar.update(1)
    kl, klr, js, tv, hel, chi2, logit2, lse_p, lse_q = (torch.cat(a) for a in acc)
    lm = logit2.mean()
    logit = lm.clamp_min(torch.finfo(lm.dtype).tiny).sqrt() * (lm > 0)
    return DistributionDivergences(
        kl=kl.mean(), kl_reverse=klr.mean(), js=js.mean(), tv=tv.mean(), hellinger=hel.mean(),
        chi2=chi2.mean(), logit=logit, lse_p=lse_p, lse_q=lse_q,
    )


def kl_divergence(F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, *, block_size: int | None = None) -> Tensor:
    """d_KL(p, q) = mean_n KL(p(.|x_n) || q(.|x_n)) in nats (streamed; see :func:`distribution_divergences`)."""
    return distribution_divergences(F, G, Fp, Gp, block_size=block_size).kl


def reverse_kl_divergence(F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, *, block_size: int | None = None) -> Tensor:
    """d_KL(q, p): the KL divergence with the arguments swapped."""
    return distribution_divergences(F, G, Fp, Gp, block_size=block_size).kl_reverse


def js_divergence(F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, *, block_size: int | None = None) -> Tensor:
    """Mean Jensen-Shannon divergence (natural log), in [0, ln 2]."""
    return distribution_divergences(F, G, Fp, Gp, block_size=block_size).js


def tv_distance(F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, *, block_size: int | None = None) -> Tensor:
    """Mean total-variation distance ``0.5 sum_k |p - q|``, in [0, 1]."""
    return distribution_divergences(F, G, Fp, Gp, block_size=block_size).tv


def hellinger_distance(F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, *, block_size: int | None = None) -> Tensor:
    """Mean Hellinger distance ``sqrt(0.5 sum_k (sqrt p - sqrt q)^2)``, in [0, 1]."""
    return distribution_divergences(F, G, Fp, Gp, block_size=block_size).hellinger


def chi2_divergence(F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, *, block_size: int | None = None) -> Tensor:
    """Mean Pearson chi-squared divergence ``sum_k (p - q)^2 / q``, in [0, inf)."""
    return distribution_divergences(F, G, Fp, Gp, block_size=block_size).chi2


# ----------------------------------------------------------------------------- QR factors


def _r_factor(A: Tensor) -> Tensor:
    """Upper-triangular factor of a thin QR (``mode='r'`` unless gradients are needed)."""
    if A.requires_grad:
        return torch.linalg.qr(A, mode="reduced").R
    return torch.linalg.qr(A, mode="r").R


def _r_factor_streamed(A: Tensor, B: Tensor, *, chunk: int = 8192) -> Tensor:
    """R factor of the column-centred ``[A, B]`` (rows stacked), by TSQR over row chunks.

    Memory: one chunk of rows plus an R factor, never the whole concatenation.
    """
    K, a = A.shape[0], A.shape[1]
    mean = torch.cat([A.mean(dim=0), B.mean(dim=0)])
    if K <= chunk:
        return _r_factor(torch.cat([A, B], dim=1) - mean)
    if A.requires_grad or B.requires_grad:
        R: Tensor | None = None
        for start in range(0, K, chunk):
            block = torch.cat([A[start : start + chunk], B[start : start + chunk]], dim=1) - mean
            R = _r_factor(block if R is None else torch.cat([R, block], dim=0))
        assert R is not None  # K > chunk > 0
        return R
    # One preallocated buffer [R; next chunk], filled in place (no fresh pages per chunk).
    width = mean.shape[0]
    buf = A.new_empty(width + chunk, width)
    rows = 0
    for start in range(0, K, chunk):
        n = min(chunk, K - start)
        blk = buf[rows : rows + n]
        blk[:, :a] = A[start : start + n]
        blk[:, a:] = B[start : start + n]
        blk -= mean
        Rk = torch.linalg.qr(buf[: rows + n], mode="r").R
        buf[: Rk.shape[0]] = Rk
        rows = Rk.shape[0]
    return buf[:rows].clone()


@dataclass(frozen=True)
class _Factors:
    """Everything the covariance route needs, computed once per pair of models."""

    N: int
    K: int
    M: int
    R: Tensor  # (2M+2, 2M+2): centred [F, lse, F', lse'] over inputs
    RG: Tensor | None  # (2M, 2M): centred [G, G'] over labels; None when no input-set search needs it
    floor_p: float  # sd_floor of each model
    floor_q: float


def _sd_floor(F: Tensor, G: Tensor) -> float:
    fmax = float(torch.linalg.vector_norm(F.detach(), dim=1).max())
    gmax = float(torch.linalg.vector_norm(G.detach(), dim=1).max())
    return SD_RTOL * max(fmax * gmax, float(np.finfo(np.float64).tiny))


def _factors(F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, lse_p: Tensor, lse_q: Tensor, *, with_rg: bool = True) -> _Factors:
    """QR factors of the joint features. ``with_rg=False`` skips the label factor R_G (a
    TSQR over all K labels, O(K M^2)): with a fixed input set, the input side is computed
    directly in label coordinates instead (:func:`_input_side`)."""
    N, M = F.shape
    K = G.shape[0]
    Phi = torch.cat([F, lse_p[:, None], Fp, lse_q[:, None]], dim=1)
    # Centre in place when no graph needs the uncentred copy (saves an N x (2M+2) buffer).
    Phi = Phi - Phi.mean(dim=0) if Phi.requires_grad else Phi.sub_(Phi.mean(dim=0))
    R = _r_factor(Phi)
    if R.shape[0] < R.shape[1]:  # N < 2M + 2: a thin QR gives only N rows; the rest of R is zero
        R = torch.cat([R, R.new_zeros(R.shape[1] - R.shape[0], R.shape[1])], dim=0)
    RG = _r_factor_streamed(G, Gp) if with_rg else None
    return _Factors(N=N, K=K, M=M, R=R, RG=RG, floor_p=_sd_floor(F, G), floor_q=_sd_floor(Fp, Gp))


def _label_vectors(fc: _Factors, G: Tensor, Gp: Tensor) -> tuple[Tensor, Tensor]:
    """``u_y`` and ``u'_y`` for the given label rows: centred log-likelihoods in Q coordinates.

    ``u_y = R w_y`` with ``w_y = (g_y, -1, 0, 0)``, ``u'_y = R w'_y`` with
    ``w'_y = (0, 0, g'_y, -1)``. R is upper triangular, so u_y is non-zero only
    in its first M+1 coordinates and only those products are formed.
    """
    M, R = fc.M, fc.R
    n = G.shape[0]
    head = G @ R[:M, :M].T - R[:M, M]
    U = torch.cat([head, (-R[M, M]).expand(n, 1), G.new_zeros(n, M + 1)], dim=1)
    headp = Gp @ R[: 2 * M + 1, M + 1 : 2 * M + 1].T - R[: 2 * M + 1, 2 * M + 1]
    Up = torch.cat([headp, (-R[2 * M + 1, 2 * M + 1]).expand(n, 1)], dim=1)
    return U, Up


def _pair_terms(v_norm2: Tensor, vdelta: Tensor, delta2: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Scales and their precise difference from ``|v|^2``, ``v.delta``, ``|delta|^2``.

    ``s = |v|``, ``s' = |v - delta|``; returns ``s, s', alpha = 1/s`` and
    ``alpha - beta = 1/s - 1/s'`` computed from ``s'^2 - s^2 = |delta|^2 - 2 v.delta``
    without cancellation.
    """
    s2 = v_norm2.clamp_min(0)
    ds2 = delta2 - 2 * vdelta
    sp2 = (s2 + ds2).clamp_min(0)
    s = s2.sqrt()
    sp = sp2.sqrt()
    alpha = 1 / s
    amb = ds2 / ((s + sp) * s * sp)
    return s, sp, alpha, amb


def _scaled_norm(alpha: Tensor, amb: Tensor, D: Tensor, Up: Tensor) -> Tensor:
    """``|alpha u - beta u'| = |alpha D + (alpha - beta) u'|`` rowwise, with ``D = u - u'``."""
    return (alpha[..., None] * D + amb[..., None] * Up).norm(dim=-1)


# ----------------------------------------------------------------------------- d_LLV


@dataclass(frozen=True)
class _LLVTensors:
    value: Tensor
    t1: Tensor
    t2: Tensor
    t3: Tensor
    t4: Tensor


#: Labels per chunk in the label-side passes (bounds memory to a few chunk x (2M+2) blocks).
LABEL_CHUNK = 256


def _label_side(fc: _Factors, G: Tensor, Gp: Tensor, y0: int, ylo: int, *, func: str = "llv") -> tuple[Tensor, Tensor]:
    """T1 and T3 for fixed pivots (differentiable), streamed over contiguous chunks of labels."""
    K = fc.K
    scale = math.sqrt(fc.N - 1)
    u0, up0 = _label_vectors(fc, G[y0 : y0 + 1], Gp[y0 : y0 + 1])
    D0 = u0 - up0
    t1_parts, t3_parts = [], []
    for start in range(0, K, LABEL_CHUNK):
        stop = min(K, start + LABEL_CHUNK)
        labels = [y for y in range(start, stop) if y not in (y0, ylo)]
        if not labels:
            continue
        if len(labels) == stop - start:  # a plain slice: no gather, no copy of G
            g, gp = G[start:stop], Gp[start:stop]
        else:  # the (at most two) chunks holding the pivot or the left-out label
            idx = torch.tensor(labels, device=G.device)
            g, gp = G[idx], Gp[idx]
        u, up = _label_vectors(fc, g, gp)
        d = u - up
        v = u - u0
        delta = d - D0
        s, sp, alpha, amb = _pair_terms(v.square().sum(-1), (v * delta).sum(-1), delta.square().sum(-1))
        _check_sd(func, "sigma", s / scale, sp / scale, fc, labels, "label", y0)
        a = _scaled_norm(alpha, amb, d, up)
        # b(y) = |alpha D0 + (alpha - beta) u'0| as a vector norm, not expanded in scalars:
        # the expansion cancels when the models differ by a rescaling of log-likelihoods.
        b = _scaled_norm(alpha, amb, D0.expand_as(d), up0.expand_as(d))
        t1_parts.append(torch.maximum(a, b).max())
        t3_parts.append(((s - sp).abs() / scale).max())
    return torch.stack(t1_parts).max(), torch.stack(t3_parts).max()


def _input_vectors(fc: _Factors, F: Tensor, Fp: Tensor) -> tuple[Tensor, Tensor]:
    """``z_n`` and ``z'_n``: the label-centred log-likelihoods of inputs in R_G coordinates."""
    M, RG = fc.M, fc.RG
    assert RG is not None, "R_G coordinates need _factors(..., with_rg=True)"
    return F @ RG[:, :M].T, Fp @ RG[:, M:].T


def _label_coordinate_chunks(F: Tensor, Fp: Tensor, G: Tensor, Gp: Tensor) -> Iterator[tuple[Tensor, Tensor]]:
    """The label-centred log-likelihoods ``G_c f`` and ``G'_c f'`` of a few inputs, chunk by chunk of labels.

    Norms and inner products summed over the chunks equal those of the R_G
    coordinates (``[G_c, G'_c] = Q_G R_G`` with orthonormal ``Q_G``), without
    the O(K M^2) label factorisation.
    """
    gbar, gbarp = G.mean(dim=0), Gp.mean(dim=0)
    for start in range(0, G.shape[0], LABEL_CHUNK):
        sl = slice(start, start + LABEL_CHUNK)
        yield F @ (G[sl] - gbar).T, Fp @ (Gp[sl] - gbarp).T


def _input_side(
    fc: _Factors, F: Tensor, Fp: Tensor, G: Tensor, Gp: Tensor
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Input-side terms of one tuple (rows of ``F, Fp``: x_0 first), as :func:`_input_side_batch`.

    Uses R_G coordinates when the factor exists, else two streamed passes over
    label chunks: the first sums the scales, the second the norms
    ``|alpha D_i + (alpha - beta) z'_i|`` directly (never as an expansion).
    """
    if fc.RG is not None:
        Z, Zp = _input_vectors(fc, F, Fp)
        ce, s, sp, tdiff = _input_side_batch(fc, Z[None], Zp[None])
        return ce[0], s[0], sp[0], tdiff[0]
    M = F.shape[0] - 1
    vv = F.new_zeros(M)
    vd = F.new_zeros(M)
    dd = F.new_zeros(M)
    for Z, Zp in _label_coordinate_chunks(F, Fp, G, Gp):
        Dz = Z - Zp
        v = Z[1:] - Z[:1]
        delta = Dz[1:] - Dz[:1]
        vv = vv + v.square().sum(-1)
        vd = vd + (v * delta).sum(-1)
        dd = dd + delta.square().sum(-1)
    s, sp, alpha, amb = _pair_terms(vv, vd, dd)
    cc = F.new_zeros(M)
    ee = F.new_zeros(M)
    for Z, Zp in _label_coordinate_chunks(F, Fp, G, Gp):
        Dz = Z - Zp
        cc = cc + (alpha[:, None] * Dz[1:] + amb[:, None] * Zp[1:]).square().sum(-1)
        ee = ee + (alpha[:, None] * Dz[:1] + amb[:, None] * Zp[:1]).square().sum(-1)
    scale = math.sqrt(fc.K - 1)
    ce = torch.maximum(cc, ee).clamp_min(0).sqrt()
    return ce, s / scale, sp / scale, (s - sp).abs() / scale


def _input_side_batch(fc: _Factors, Z: Tensor, Zp: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Input-side terms for a batch of tuples.

    ``Z, Zp`` have shape (S, M+1, 2M): the z vectors of each tuple, x_0 first.
    Returns ``c_e`` (S, M) = max(c, e), ``tau``, ``tau'`` (S, M) and the raw
    ``|tau - tau'|`` (S, M), all already divided by sqrt(K - 1).
    """
    Dz = Z - Zp
    v = Z[:, 1:] - Z[:, :1]
    delta = Dz[:, 1:] - Dz[:, :1]
    s, sp, alpha, amb = _pair_terms(v.square().sum(-1), (v * delta).sum(-1), delta.square().sum(-1))
    scale = math.sqrt(fc.K - 1)
    c = _scaled_norm(alpha, amb, Dz[:, 1:], Zp[:, 1:])
    e = _scaled_norm(alpha, amb, Dz[:, :1].expand_as(v), Zp[:, :1].expand_as(v))
    return torch.maximum(c, e), s / scale, sp / scale, (s - sp).abs() / scale


def _check_sd(func: str, what: str, s: Tensor, sp: Tensor, fc: _Factors, ids: list[int], kind: str, pivot: int) -> None:
    for model, vals, floor in (("p", s, fc.floor_p), ("q", sp, fc.floor_q)):
        bad = torch.nonzero(vals.detach() <= floor).flatten().tolist()
        if bad:
            which = [ids[i] for i in bad[:5]]
            fail(
                func,
                f"every {what} of Def. 4.4 must be positive (the distance divides by it)",
                f"{what}=0 (below {floor:.3g}) in model {model} for {kind}(s) {which} with pivot {pivot}"
                + (" (constant log-odds over the inputs)" if kind == "label" else " (an input whose embedding equals the pivot's)"),
                "Choose other pivots, or drop duplicated labels or inputs.",
                error=DegenerateInputError,
            )


def _search_input_set(
    fc: _Factors, F: Tensor, Fp: Tensor, num_samples: int, seed: int, *, func: str = "llv"
) -> tuple[int, ...]:
    tuples = input_tuples(fc.N, fc.M, num_samples, seed)
    flat = torch.as_tensor(tuples.reshape(-1), device=F.device)
    with torch.no_grad():
        Z, Zp = _input_vectors(fc, F[flat].detach(), Fp[flat].detach())
        Z = Z.reshape(tuples.shape[0], fc.M + 1, -1)
        Zp = Zp.reshape(tuples.shape[0], fc.M + 1, -1)
        ce, s, sp, _ = _input_side_batch(fc, Z, Zp)
        t2 = ce.max(dim=1).values
        ok = (s > fc.floor_p).all(dim=1) & (sp > fc.floor_q).all(dim=1)
        t2 = torch.where(ok, t2, torch.full_like(t2, math.inf))
    if not bool(torch.isfinite(t2).any()):
        fail(
            func,
            "some input tuple must have every tau of Def. 4.4 positive",
            f"all {tuples.shape[0]} candidate tuples degenerate (an input's embedding equals the pivot's in every tuple)",
            error=DegenerateInputError,
        )
    best, best_t2 = 0, math.inf
    for i, value in enumerate(t2.tolist()):  # in order: the earliest tuple wins ties
        if improves(value, best_t2):
            best, best_t2 = i, value
    return tuple(int(i) for i in tuples[best])


def _search_label_pivots(
    fc: _Factors, G: Tensor, Gp: Tensor, *, fixed_pivot: int | None, fixed_left_out: int | None, progress: bool | None,
    func: str = "llv",
) -> tuple[int, int]:
    """Exhaustive (y0, y_lo) search minimising T1, O(K^2 M) in blocks of pivots."""
    K, N = fc.K, fc.N
    scale = math.sqrt(N - 1)
    M, d = fc.M, fc.R.shape[0]
    with torch.no_grad():
        # Per-label vectors, built chunk by chunk: centred u (only its first M
        # coordinates are non-zero: R is triangular), centred D = u - u', and the
        # three per-label scalars |D|^2, D.u', |u'|^2. Memory: K x (3M + 2).
        Uc = G.new_empty(K, M)
        Dc = G.new_empty(K, d)
        nD, cDu, nu = G.new_empty(K), G.new_empty(K), G.new_empty(K)
        for start in range(0, K, LABEL_CHUNK):
            sl = slice(start, start + LABEL_CHUNK)
            u, up = _label_vectors(fc, G[sl].detach(), Gp[sl].detach())
            dd = u - up
            Uc[sl], Dc[sl] = u[:, :M], dd
            nD[sl], cDu[sl], nu[sl] = dd.square().sum(-1), (dd * up).sum(-1), up.square().sum(-1)
        Uc -= Uc.mean(dim=0)
        Dc -= Dc.mean(dim=0)
        gu = Uc.square().sum(-1)
        gd = Dc.square().sum(-1)
        gud = (Uc * Dc[:, :M]).sum(-1)
        pivots = range(K) if fixed_pivot is None else [fixed_pivot]
        pivots_t = torch.tensor(list(pivots), device=G.device)
        itemsize = torch.finfo(G.dtype).bits // 8
        # Five preallocated (B0, K) work buffers, reused for every block of pivots: all
        # arithmetic below is in place, so memory stays at 5 B0 K numbers whatever K is.
        B0 = max(1, min(len(pivots_t), SEARCH_BYTES // max(1, 5 * K * itemsize)))
        bufs = [G.new_empty(B0, K) for _ in range(5)]
        floor_p, floor_q = fc.floor_p * scale, fc.floor_q * scale
        best_t1 = math.inf
        best: tuple[int, int] | None = None
        with _progress(math.ceil(len(pivots_t) / B0), "llv pivot search", progress) as bar:
            for start in range(0, len(pivots_t), B0):
                y0 = pivots_t[start : start + B0]
                b = len(y0)
                S, SP, T, P, Q = (w[:b] for w in bufs)
                # Scales of every pair (y, y0): s^2 = |u_y - u_y0|^2 (Gram expansion, centred u).
                torch.matmul(Uc[y0], Uc.T, out=S)
                S.mul_(-2).add_(gu[None, :]).add_(gu[y0][:, None]).clamp_min_(0)
                # v.delta = (u_y - u_y0).(D_y - D_y0) and |delta|^2, then s'^2 - s^2 = |delta|^2 - 2 v.delta.
                torch.matmul(Uc[y0], Dc[:, :M].T, out=T)
                T.addmm_(Dc[y0, :M], Uc.T)
                T.neg_().add_(gud[None, :]).add_(gud[y0][:, None])
                torch.matmul(Dc[y0], Dc.T, out=SP)
                SP.mul_(-2).add_(gd[None, :]).add_(gd[y0][:, None]).sub_(T, alpha=2)  # SP = s'^2 - s^2
                torch.add(S, SP, out=T).clamp_min_(0)  # T = s'^2
                S.sqrt_()
                T.sqrt_()
                degenerate = (S <= floor_p) | (T <= floor_q)
                # alpha - beta = (s'^2 - s^2) / ((s + s') s s'), alpha = 1 / s.
                torch.add(S, T, out=P).mul_(S).mul_(T)
                SP.div_(P)  # SP = alpha - beta
                S.reciprocal_()  # S = alpha
                # a^2 = alpha (alpha |D_y|^2 + 2 (alpha - beta) D_y.u'_y) + (alpha - beta)^2 |u'_y|^2
                torch.mul(S, nD[None, :], out=P).addcmul_(SP, cDu[None, :].expand_as(SP), value=2).mul_(S)
                torch.mul(SP, SP, out=T)
                P.addcmul_(T, nu[None, :].expand_as(T))
                # b^2: the same with the pivot's own vectors.
                torch.mul(S, nD[y0][:, None], out=Q).addcmul_(SP, cDu[y0][:, None].expand_as(SP), value=2).mul_(S)
                Q.addcmul_(T, nu[y0][:, None].expand_as(T))
                h = torch.maximum(P, Q, out=P).clamp_min_(0).sqrt_()
                h.masked_fill_(degenerate, math.inf)
                h[torch.arange(b), y0] = -math.inf  # y = y0 is never a term
                top = torch.topk(h, 2, dim=1)
                tops = top.values.tolist()
                argmax = top.indices[:, 0].tolist()
                for row in range(b):
                    t1, ylo = _best_left_out(h[row], int(y0[row]), fixed_left_out, tops[row], argmax[row])
                    if improves(t1, best_t1):  # pivots in increasing order: the lowest wins ties
                        best_t1, best = t1, (int(y0[row]), ylo)
                bar.update(1)
    if best is None:
        fail(
            func,
            "some (label_pivot, left_out) pair must give every other label a positive sigma",
            "no admissible pair: several labels have log-odds constant over the inputs",
            "Drop duplicated labels.",
            error=DegenerateInputError,
        )
    assert best is not None
    return best


def _best_left_out(h: Tensor, y0: int, fixed_left_out: int | None, top: list[float], argmax: int) -> tuple[float, int]:
    """Minimise over y_lo the max of ``h`` over labels other than y_lo (ties: lowest y_lo).

    Leaving out the label with the largest ``h`` gives the second largest
    value (``top = [largest, second]``); leaving out any other gives the
    largest. When the two are within the tie tolerance every y_lo ties, and
    the lowest label other than y0 wins.
    """
    if fixed_left_out is not None:
        if fixed_left_out == y0:
            return math.inf, -1
        rest = torch.cat([h[:fixed_left_out], h[fixed_left_out + 1 :]])
        return float(rest.max()), fixed_left_out
    top1, top2 = top
    first = 0 if y0 != 0 else 1
    if not improves(top2, top1):
        return top1, first
    return top2, argmax


def _llv_fixed(
    fc: _Factors, F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, y0: int, ylo: int, input_set: tuple[int, ...], lam: float,
    *, func: str = "llv",
) -> _LLVTensors:
    t1, t3 = _label_side(fc, G, Gp, y0, ylo, func=func)
    idx = torch.tensor(input_set, device=F.device)
    ce, s, sp, tdiff = _input_side(fc, F[idx], Fp[idx], G, Gp)
    _check_sd(func, "tau", s, sp, fc, list(input_set[1:]), "input", input_set[0])
    t2 = ce.max()
    t4 = tdiff.max()
    value = torch.stack([t1, t2, lam * t3, lam * t4]).max()
    return _LLVTensors(value=value, t1=t1, t2=t2, t3=t3, t4=t4)


def _resolve_llv_choices(
    func: str,
    fc: _Factors,
    F: Tensor,
    G: Tensor,
    Fp: Tensor,
    Gp: Tensor,
    *,
    label_pivot: int | None,
    left_out: int | None,
    input_set: Any,
    num_samples: int,
    seed: int,
    progress: bool | None,
) -> tuple[int, int, tuple[int, ...]]:
    K, N, M = fc.K, fc.N, fc.M
    if K < 3:
        fail(func, "d_LLV needs K >= 3 labels (a pivot, a left-out label and at least one more)", f"K={K}")
    if label_pivot is not None:
        label_pivot = check_indices(func, "label_pivot", [label_pivot], size=K, axis_name="labels")[0]
    if left_out is not None:
        left_out = check_indices(func, "left_out", [left_out], size=K, axis_name="labels")[0]
    if label_pivot is not None and left_out is not None and label_pivot == left_out:
        fail(func, "label_pivot and left_out must be different labels", f"label_pivot={label_pivot}, left_out={left_out}")
    if input_set is not None:
        input_set = check_indices(func, "input_set", list(input_set), size=N, axis_name="inputs", length=M + 1)
    else:
        num_samples = check_positive_int(func, "num_samples", num_samples)
        input_set = _search_input_set(fc, F, Fp, num_samples, seed, func=func)
    if label_pivot is None or left_out is None:
        label_pivot, left_out = _search_label_pivots(
            fc, G, Gp, fixed_pivot=label_pivot, fixed_left_out=left_out, progress=progress, func=func
        )
    return label_pivot, left_out, tuple(input_set)


def llv(
    F: Tensor,
    G: Tensor,
    Fp: Tensor,
    Gp: Tensor,
    *,
    label_pivot: int | None = None,
    left_out: int | None = None,
    input_set: Any = None,
    num_samples: int = DEFAULT_NUM_SAMPLES,
    seed: int = 0,
    lam: float = DEFAULT_LAM,
    lse: tuple[Tensor, Tensor] | None = None,
    block_size: int | None = None,
    progress: bool | None = False,
) -> LLVResult:
    """The log-likelihood variance distance d_LLV (Def. 4.4) with every choice reported.

    Same definition, pivot search and seeded input-set search as
    :func:`metrics.model_distances.llv`, computed without a K x N matrix.

    Parameters
    ----------
    F, G, Fp, Gp : Tensor
        Model p (F: N x M embeddings, G: K x M unembeddings) and model q.
    label_pivot, left_out : int, optional
        y_0 and the left-out label; searched (exhaustively, O(K^2 M)) when omitted.
    input_set : sequence of int, optional
        x_0 first, then x_1..x_M; searched over ``num_samples`` seeded tuples when omitted.
    lam : float
        Weight of the scale terms T3 and T4.
    lse : pair of Tensor, optional
        Precomputed log-partitions of both models (skips the streamed pass).

    Returns
    -------
    LLVResult
        Value, the four terms and the choices, as Python floats and ints.

    Raises
    ------
    DegenerateInputError
        If a sigma or tau the distance divides by is zero.
    """
    res, choices = _llv_impl(
        "llv", F, G, Fp, Gp, label_pivot=label_pivot, left_out=left_out, input_set=input_set,
        num_samples=num_samples, seed=seed, lam=lam, lse=lse, block_size=block_size, progress=progress,
    )
    return _llv_result(res, lam, choices)


def _llv_result(res: _LLVTensors, lam: float, choices: tuple[int, int, tuple[int, ...]]) -> LLVResult:
    return LLVResult(
        value=float(res.value), t1=float(res.t1), t2=float(res.t2), t3=float(res.t3), t4=float(res.t4),
        lam=float(lam), label_pivot=choices[0], left_out=choices[1], input_set=choices[2],
    )


def _llv_impl(
    func: str, F: Any, G: Any, Fp: Any, Gp: Any, *, label_pivot: int | None, left_out: int | None, input_set: Any,
    num_samples: int, seed: int, lam: float, lse: tuple[Tensor, Tensor] | None, block_size: int | None,
    progress: bool | None,
) -> tuple[_LLVTensors, tuple[int, int, tuple[int, ...]]]:
    F, G, Fp, Gp = _check_models(func, F, G, Fp, Gp, need_diversity=True)
    seed = _check_seed(func, seed)
    lam = check_range(func, "lam", lam, low=0.0, high=math.inf, high_open=True)
    if lse is None:
        lse = (log_partition(F, G, block_size=block_size), log_partition(Fp, Gp, block_size=block_size))
    fc = _factors(F, G, Fp, Gp, *lse, with_rg=input_set is None)
    return _llv_from_factors(
        func, fc, F, G, Fp, Gp, label_pivot=label_pivot, left_out=left_out, input_set=input_set,
        num_samples=num_samples, seed=seed, lam=lam, progress=progress,
    )


def _llv_from_factors(
    func: str, fc: _Factors, F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, *, label_pivot: int | None,
    left_out: int | None, input_set: Any, num_samples: int, seed: int, lam: float, progress: bool | None,
) -> tuple[_LLVTensors, tuple[int, int, tuple[int, ...]]]:
    y0, ylo, xs = _resolve_llv_choices(
        func, fc, F, G, Fp, Gp, label_pivot=label_pivot, left_out=left_out, input_set=input_set,
        num_samples=num_samples, seed=seed, progress=progress,
    )
    return _llv_fixed(fc, F, G, Fp, Gp, y0, ylo, xs, lam, func=func), (y0, ylo, xs)


def llv_distance(
    F: Tensor,
    G: Tensor,
    Fp: Tensor,
    Gp: Tensor,
    *,
    label_pivot: int | None = None,
    left_out: int | None = None,
    input_set: Any = None,
    num_samples: int = DEFAULT_NUM_SAMPLES,
    seed: int = 0,
    lam: float = DEFAULT_LAM,
    block_size: int | None = None,
) -> Tensor:
    """d_LLV as a 0-dim tensor, differentiable in F, G, Fp, Gp.

    Gradients flow through the value at the chosen pivots and input set (the
    discrete choices themselves are not differentiated); pass them explicitly
    to use d_LLV as a training loss with a fixed objective.
    """
    res, _ = _llv_impl(
        "llv_distance", F, G, Fp, Gp, label_pivot=label_pivot, left_out=left_out, input_set=input_set,
        num_samples=num_samples, seed=seed, lam=lam, lse=None, block_size=block_size, progress=False,
    )
    return res.value


def logit_distance(F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor) -> Tensor:
    """The follow-up's logit distance ``sqrt(mean_n ||clr p(.|x_n) - clr q(.|x_n)||^2)``.

    Computed without logits: ``clr p(.|x) = G_c f(x)`` with ``G_c`` the
    label-centred unembeddings, so the squared distance is
    ``(1/N) ||F R_G[:, :M]^T - Fp R_G[:, M:]^T||_F^2`` with ``R_G`` the QR factor
    of the centred ``[G, Gp]``. Cost O((N + K) M^2); differentiable.
    """
    F, G, Fp, Gp = _check_models("logit_distance", F, G, Fp, Gp)
    M = F.shape[1]
    RG = _r_factor_streamed(G, Gp)
    diff = F @ RG[:, :M].T - Fp @ RG[:, M:].T
    m = diff.square().sum(dim=1).mean()
    return m.clamp_min(torch.finfo(m.dtype).tiny).sqrt() * (m > 0)


# ----------------------------------------------------------------------------- d_SVD and d_{f,g}


def svd_similarity(Z: Tensor, Zp: Tensor) -> Tensor:
    """m_SVD: mean singular value of the cross-correlation of standardised columns.

    Batched over leading dimensions: ``Z, Zp`` of shape (..., n, M); returns (...).
    """
    return _svd_similarity("svd_similarity", Z, Zp)


def _svd_similarity(func: str, Z: Tensor, Zp: Tensor) -> Tensor:
    Z = as_float_tensor(func, "Z", Z)
    Zp = as_float_tensor(func, "Zp", Zp)
    if Z.shape != Zp.shape:
        fail(func, "Z and Zp must have the same shape", f"Z.shape={tuple(Z.shape)} and Zp.shape={tuple(Zp.shape)}")
    n = Z.shape[-2]
    if n < 2:
        fail(func, "Z must have at least 2 rows", f"Z.shape={tuple(Z.shape)}")
    Zc = Z - Z.mean(dim=-2, keepdim=True)
    Zpc = Zp - Zp.mean(dim=-2, keepdim=True)
    # The numpy reference's policy: a column is constant when its sd is at most SD_RTOL times
    # its largest absolute entry (constant up to rounding), not only when it is exactly zero.
    for name, X, Xc in (("Z", Z, Zc), ("Zp", Zp, Zpc)):
        with torch.no_grad():
            const = Xc.norm(dim=-2) / math.sqrt(n - 1) <= SD_RTOL * X.abs().amax(dim=-2)
        if bool(const.any()):
            cols = sorted({int(c) for c in torch.nonzero(const)[:, -1].tolist()})
            fail(
                func,
                f"every column of {name} must vary (d_SVD standardises the columns)",
                f"constant column(s) {cols} in {name} (shape {tuple(X.shape)})",
                error=DegenerateInputError,
            )
    return _svd_similarity_centred(func, Zc, Zpc)


def _svd_similarity_centred(func: str, Zc: Tensor, Zpc: Tensor) -> Tensor:
    """m_SVD from centred factors: rows may be any coordinates in which the inner products hold."""
    nz = Zc.norm(dim=-2)
    nzp = Zpc.norm(dim=-2)
    if bool((nz == 0).any()) or bool((nzp == 0).any()):
        fail(func, "every column must vary (d_SVD standardises columns)", "a constant column", error=DegenerateInputError)
    Rx = (Zc / nz[..., None, :]).transpose(-1, -2) @ (Zpc / nzp[..., None, :])
    return torch.linalg.svdvals(Rx).sum(dim=-1) / Zc.shape[-1]


def svd_dissimilarity(Z: Tensor, Zp: Tensor) -> Tensor:
    """d_SVD = 1 - m_SVD, clipped to [0, 1] (rounding can push m_SVD a hair above 1)."""
    return (1 - _svd_similarity("svd_dissimilarity", Z, Zp)).clamp(0, 1)


def fg_dissimilarity(
    F: Tensor,
    G: Tensor,
    Fp: Tensor,
    Gp: Tensor,
    *,
    llv_result: LLVResult | None = None,
    max_subsets: int = DEFAULT_MAX_SUBSETS,
    seed: int = 0,
    subset_batch: int = 64,
    **llv_kwargs: Any,
) -> FGResult:
    """d_{f,g} (Def. 4.5) with the pivots and input set of d_LLV, without K x N matrices.

    The embedding side examines every M-subset of the labels other than the
    pivot and the left-out label, or ``max_subsets`` seeded ones when there
    are more (see :func:`metrics._pivots.label_subsets`); each costs O(M^3).
    """
    func = "fg_dissimilarity"
    F, G, Fp, Gp = _check_models(func, F, G, Fp, Gp, need_diversity=True)
    seed = _check_seed(func, seed)
    if llv_result is not None and llv_kwargs:
        fail(func, "pass either llv_result or options for llv, not both", f"llv_result and {sorted(llv_kwargs)}", error=TypeError)
    lse = (log_partition(F, G), log_partition(Fp, Gp))
    if llv_result is None:
        opts: dict[str, Any] = {"label_pivot": None, "left_out": None, "input_set": None, "num_samples": DEFAULT_NUM_SAMPLES, "lam": DEFAULT_LAM}
        unknown = sorted(set(llv_kwargs) - set(opts))
        if unknown:
            fail(func, "extra keywords must be options of llv", f"{unknown}", f"Valid: {', '.join(opts)}.", error=TypeError)
        opts.update(llv_kwargs)
        fc = _factors(F, G, Fp, Gp, *lse, with_rg=opts["input_set"] is None)
        lam = check_range(func, "lam", opts["lam"], low=0.0, high=math.inf, high_open=True)
        terms, choices = _llv_from_factors(
            "llv", fc, F, G, Fp, Gp, label_pivot=opts["label_pivot"], left_out=opts["left_out"],
            input_set=opts["input_set"], num_samples=opts["num_samples"], seed=seed, lam=lam, progress=False,
        )
        llv_result = _llv_result(terms, lam, choices)
    else:
        fc = _factors(F, G, Fp, Gp, *lse, with_rg=False)
    return _fg_from_factors(func, fc, F, G, Fp, Gp, llv_result, max_subsets, seed, subset_batch)


def _fg_from_factors(
    func: str, fc: _Factors, F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, res: LLVResult,
    max_subsets: int, seed: int, subset_batch: int,
) -> FGResult:
    M = fc.M
    y0, ylo = res.label_pivot, res.left_out
    subsets, exhaustive = label_subsets(fc.K, (y0, ylo), M, max_subsets, seed)
    worst, worst_subset = -math.inf, cast(tuple[int, ...], ())
    d = fc.R.shape[0]
    itemsize = torch.finfo(G.dtype).bits // 8
    batch = max(1, min(subset_batch, BLOCK_BYTES // max(1, 6 * d * M * itemsize)))
    R_f, R_fp = fc.R[:M, :M], fc.R[: 2 * M + 1, M + 1 : 2 * M + 1]
    with torch.no_grad():
        for start in range(0, len(subsets), batch):
            sub = torch.as_tensor(subsets[start : start + batch], device=G.device)
            # Centred columns F (g_i - g_0) in Q coordinates (R is triangular, so
            # model p's columns live in the first M coordinates, model q's in the first 2M+1).
            V = R_f @ (G[sub] - G[y0]).transpose(-1, -2)
            Vp = R_fp @ (Gp[sub] - Gp[y0]).transpose(-1, -2)
            V = torch.cat([V, V.new_zeros(V.shape[0], M + 1, M)], dim=-2)
            d_s = (1 - _svd_similarity_centred(func, V, Vp)).clamp(0, 1)
            j = int(torch.argmax(d_s))
            if float(d_s[j]) > worst:
                worst, worst_subset = float(d_s[j]), tuple(int(i) for i in subsets[start + j])
        idx = torch.as_tensor(res.input_set, device=F.device)
        if fc.RG is not None:
            Z, Zp = _input_vectors(fc, F[idx], Fp[idx])
            W = (Z[1:] - Z[0]).T  # (2M, M): centred columns G (f_i - f_0) in R_G coordinates
            Wp = (Zp[1:] - Zp[0]).T
            dg = float((1 - _svd_similarity_centred(func, W, Wp)).clamp(0, 1))
        else:
            # The same cross-correlation accumulated over chunks of labels.
            cross = F.new_zeros(M, M)
            nw = F.new_zeros(M)
            nwp = F.new_zeros(M)
            for Z, Zp in _label_coordinate_chunks(F[idx], Fp[idx], G, Gp):
                W, Wp = Z[1:] - Z[:1], Zp[1:] - Zp[:1]
                cross += W @ Wp.T
                nw += W.square().sum(-1)
                nwp += Wp.square().sum(-1)
            if bool((nw == 0).any()) or bool((nwp == 0).any()):
                fail(func, "every column must vary (d_SVD standardises columns)", "a constant column on the unembedding side", error=DegenerateInputError)
            corr = cross / (nw.sqrt()[:, None] * nwp.sqrt()[None, :])
            dg = float((1 - torch.linalg.svdvals(corr).sum() / M).clamp(0, 1))
    return FGResult(value=max(worst, dg), d_svd_f=worst, d_svd_g=dg, num_subsets=len(subsets), exhaustive=exhaustive, worst_subset=worst_subset)


# ----------------------------------------------------------------------------- d_rep


def fg_distance(F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, **kwargs: Any) -> Tensor:
    """d_{f,g} as a 0-dim tensor (the ``value`` of :func:`fg_dissimilarity`; not differentiable)."""
    res = fg_dissimilarity(F, G, Fp, Gp, **kwargs)
    return torch.tensor(res.value, dtype=F.dtype if isinstance(F, Tensor) and F.is_floating_point() else torch.float64)


def _rep_conditioning(G: Tensor, piv: Tensor, sub: Tensor) -> Tensor:
    """Batched :func:`metrics._pivots.rep_conditioning` (kappa per sample), in float64 and without gradients.

    Computed in float64 whatever the input dtype, so that a float32 model
    keeps exactly the samples its float64 copy (and the numpy reference)
    keeps.
    """
    with torch.no_grad():
        G64 = G.detach().to(torch.float64)
        L = G64[sub] - G64[piv][:, None, :]  # (S, M, M)
        s = torch.linalg.svdvals(L)  # descending
        rows = torch.cat([G64[piv][:, None, :], G64[sub]], dim=1)  # (S, M + 1, M)
        top = torch.maximum(s[:, 0], torch.linalg.vector_norm(rows, dim=-1).amax(dim=-1))
        smin = s[:, -1]
        safe = torch.where(smin > 0, smin, torch.ones_like(smin))
        return torch.where(smin > 0, top / safe, torch.full_like(smin, math.inf))


def rep_distance(
    F: Tensor, G: Tensor, Fp: Tensor, Gp: Tensor, *, num_samples: int = DEFAULT_REP_SAMPLES, seed: int = 0
) -> Tensor:
    """The follow-up's d_rep, mapping q's embeddings into p's coordinates.

    For each seeded (y_0, S), ``A = L_S^{-1} L'_S`` and the term is
    ``(1/N) sum_n ||f(x_n) - A f'(x_n)||^2``, computed as ``||R_u [I; -A^T]||_F^2 / N``
    with ``R_u`` the QR factor of the uncentred ``[F, Fp]`` (O(M^3) per sample).
    Samples are skipped as in the numpy reference (:func:`metrics.model_distances.rep_distance`):
    when ``kappa = max(sigma_max(L_S), max_k ||g(y_k)||) / sigma_min(L_S)`` exceeds
    ``REP_MAX_COND`` (``1e-10 / eps``, about 4.5e5) in either model, because the solve
    amplifies the rounding of the stored unembeddings by kappa and would turn it into a
    spurious distance on an equivalent pair. The choice is made in float64 for every dtype;
    a float32 result still carries the float32 rounding times kappa.
    Returns ``sqrt`` of the mean term, a 0-dim tensor.
    """
    func = "rep_distance"
    F, G, Fp, Gp = _check_models(func, F, G, Fp, Gp, need_diversity=True)
    seed = _check_seed(func, seed)
    num_samples = check_positive_int(func, "num_samples", num_samples)
    N, M = F.shape
    K = G.shape[0]
    pivots, subsets = rep_pivots(K, M, num_samples, seed)
    Ru = _r_factor(torch.cat([F, Fp], dim=1))
    piv = torch.as_tensor(pivots, device=G.device)
    sub = torch.as_tensor(subsets, device=G.device)
    ok = (_rep_conditioning(G, piv, sub) <= REP_MAX_COND) & (_rep_conditioning(Gp, piv, sub) <= REP_MAX_COND)
    if not bool(ok.any()):
        fail(
            func,
            f"d_rep needs label subsets whose differences g(y_i) - g(y_0) are well conditioned "
            f"(kappa = max(sigma_max, max ||g||) / sigma_min <= {REP_MAX_COND:.1e}) in both models",
            f"all {num_samples} sampled (y_0, S) pairs ill-conditioned (seed={seed})",
            "Check that the unembeddings G of both models span M dimensions after removing a common shift, "
            "with differences well above rounding relative to their norms.",
            error=DegenerateInputError,
        )
    piv, sub = piv[ok], sub[ok]
    L = G[sub] - G[piv][:, None, :]  # (S, M, M)
    Lp = Gp[sub] - Gp[piv][:, None, :]
    A = torch.linalg.solve(L, Lp)  # (S, M, M)
    resid = Ru[:, :M] - Ru[:, M:] @ A.transpose(-1, -2)  # (S, 2M, M)
    terms = resid.square().sum(dim=(-1, -2)) / N
    m = terms.mean()
    return m.clamp_min(torch.finfo(m.dtype).tiny).sqrt() * (m > 0)


# ----------------------------------------------------------------------------- everything


def model_distances(
    F: Tensor,
    G: Tensor,
    Fp: Tensor,
    Gp: Tensor,
    *,
    label_pivot: int | None = None,
    left_out: int | None = None,
    input_set: Any = None,
    num_samples: int = DEFAULT_NUM_SAMPLES,
    seed: int = 0,
    lam: float = DEFAULT_LAM,
    max_subsets: int = DEFAULT_MAX_SUBSETS,
    rep_samples: int = DEFAULT_REP_SAMPLES,
    block_size: int | None = None,
    progress: bool | None = False,
) -> ModelDistances:
    """Every distance between two models, sharing one streamed pass and one set of QR factors."""
    from metrics.torch_representation import cca_mean_corr

    func = "model_distances"
    F, G, Fp, Gp = _check_models(func, F, G, Fp, Gp, need_diversity=True)
    seed = _check_seed(func, seed)
    with torch.no_grad():
        div = distribution_divergences(F, G, Fp, Gp, block_size=block_size, progress=progress)
        lam = check_range(func, "lam", lam, low=0.0, high=math.inf, high_open=True)
        fc = _factors(F, G, Fp, Gp, div.lse_p, div.lse_q, with_rg=input_set is None)
        terms, (y0, ylo, xs) = _llv_from_factors(
            "llv", fc, F, G, Fp, Gp, label_pivot=label_pivot, left_out=left_out, input_set=input_set,
            num_samples=num_samples, seed=seed, lam=lam, progress=progress,
        )
        res = _llv_result(terms, lam, (y0, ylo, xs))
        fg = _fg_from_factors("fg_dissimilarity", fc, F, G, Fp, Gp, res, max_subsets, seed, 64)
        mcca = float(cca_mean_corr(F, Fp))
        drep = float(rep_distance(F, G, Fp, Gp, num_samples=rep_samples, seed=seed))
    return ModelDistances(
        kl=float(div.kl), kl_reverse=float(div.kl_reverse), js=float(div.js), tv=float(div.tv),
        hellinger=float(div.hellinger), chi2=float(div.chi2), logit=float(div.logit), llv=res, fg=fg,
        mcca=mcca, d_rep=drep, M=int(F.shape[1]),
    )
