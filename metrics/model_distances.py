"""Float64 reference implementation of the distances between two softmax models.

The models are :class:`~metrics.models.SoftmaxModel` pairs ``(F, G)`` with
``log p(y_k | x_n) = F[n] . G[k] - logsumexp_j F[n] . G[j]``. Everything here
materialises the K x N matrix ``ell = p.log_likelihoods()`` and is written to
be read and checked, not to be fast: it is the oracle that the streamed and the
torch implementations are tested against (``/work/shared/spec/MATH.md``
sections 1-5).

Distances between conditionals, averaged over the N evaluated inputs:
:func:`kl_divergence`, :func:`reverse_kl_divergence`, :func:`js_divergence`,
:func:`tv_distance`, :func:`hellinger_distance`, :func:`chi2_divergence`,
:func:`logit_distance`.

Distances between representations that respect identifiability:
:func:`llv` / :func:`llv_distance` (d_LLV, Def. 4.4 of the paper),
:func:`fg_dissimilarity` (d_{f,g}, Def. 4.5, built on :func:`svd_dissimilarity`)
and :func:`rep_distance` (d_rep of the follow-up). :func:`model_distances`
computes all of them at once.

Every random choice (input tuples, label subsets, (y_0, S) pairs) is drawn by
:mod:`metrics._pivots`, so that a seed selects the same choices here and in the
torch implementation.

References
----------
.. [1] Nielsen, Marconato, Dittadi, Gresele. "When Does Closeness in
   Distribution Imply Representational Similarity? An Identifiability
   Perspective." arXiv:2506.03784 (NeurIPS 2025).
.. [2] Nielsen, Marconato, Gresele, Dittadi, Buchholz. "Logit Distance Bounds
   Representational Similarity." arXiv:2602.15438 (2026).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NoReturn

import numpy as np
from numpy.typing import NDArray

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
    rep_conditioning,
    rep_pivots,
    sd_floor,
)
from metrics._validation import (
    DegenerateInputError,
    as_float_matrix,
    check_indices,
    check_positive_int,
    check_range,
    fail,
)
from metrics.models import FGResult, LLVResult, ModelDistances, SoftmaxModel, check_pair

__all__ = [
    "chi2_divergence",
    "fg_dissimilarity",
    "fg_distance",
    "hellinger_distance",
    "js_divergence",
    "kl_divergence",
    "llv",
    "llv_distance",
    "logit_distance",
    "model_distances",
    "rep_distance",
    "reverse_kl_divergence",
    "svd_dissimilarity",
    "svd_similarity",
    "tv_distance",
]

FloatArray = NDArray[np.float64]

#: How many offending labels or inputs an error message lists before "...".
_MAX_LISTED = 10


# ---------------------------------------------------------------------------
# Small numerical helpers
# ---------------------------------------------------------------------------


def _phi(d: FloatArray) -> FloatArray:
    """``phi(d) = d e^d - expm1(d) >= 0`` elementwise (``d <= 1``, so ``e^d`` cannot overflow).

    ``sum_k q_k phi(d_k)`` with ``d = log p - log q`` equals ``KL(p || q)``
    (the extra terms ``- sum p + sum q`` cancel), and every summand is
    non-negative, so the sum cannot round below zero and its error scales
    with the divergence: near ``d = 0`` the absolute error of ``phi`` is about
    ``eps |d|``, the same order as what the rounding of ``ell`` itself puts into
    ``d`` (about ``eps |ell|``, amplified by ``phi'(d) ~ d``). The textbook
    ``sum p (log p - log q)`` instead carries an absolute error of about
    ``eps |ell|``, first order, which swamps a divergence below ~1e-12.
    """
    out = d * np.exp(d) - np.expm1(d)
    return np.maximum(out, 0.0)  # phi >= 0 exactly; clamp a last-ulp negative rounding


def _kl_terms(lp: FloatArray, lq: FloatArray) -> FloatArray:
    """Non-negative summands of ``KL(p(.|x) || q(.|x))`` as a K x N array (sum over axis 0).

    ``q_k phi(d_k)`` with ``d = lp - lq``; where ``d > 1`` (so ``e^d`` could
    overflow) the algebraically equal ``p_k (d_k - 1) + q_k`` is used.
    """
    d = lp - lq
    terms = np.exp(lq) * _phi(np.minimum(d, 1.0))
    big = d > 1.0
    terms[big] = np.exp(lp[big]) * (d[big] - 1.0) + np.exp(lq[big])
    return terms


def _log_pair(func: str, p: SoftmaxModel, q: SoftmaxModel) -> tuple[FloatArray, FloatArray]:
    """Validate a pair and return both K x N log-likelihood matrices."""
    check_pair(func, p, q)
    return p.log_likelihoods(), q.log_likelihoods()


def _sd(x: FloatArray, axis: int) -> FloatArray:
    """Sample standard deviation (divisor n - 1), as Def. 4.4 prescribes."""
    return np.asarray(np.std(x, axis=axis, ddof=1))


def _listed(items: Sequence[Any]) -> str:
    shown = ", ".join(str(i) for i in items[:_MAX_LISTED])
    return f"[{shown}{', ...' if len(items) > _MAX_LISTED else ''}]"


# ---------------------------------------------------------------------------
# Distances between conditionals (MATH.md section 2)
# ---------------------------------------------------------------------------


def kl_divergence(p: SoftmaxModel, q: SoftmaxModel, /) -> float:
    """Mean Kullback-Leibler divergence ``d_KL(p, q)`` between the conditionals, in nats.

    ``d_KL(p, q) = (1/N) sum_n sum_k p(y_k|x_n) log(p(y_k|x_n) / q(y_k|x_n))``.

    Computed as ``sum_k q_k phi(d_k)`` with ``d = log p - log q`` and
    ``phi(d) = d e^d - e^d + 1 >= 0``, a sum of non-negative terms, so the
    result is never negative and keeps its relative precision as it tends to
    zero (e.g. on an identifiability class).

    Parameters
    ----------
    p, q : SoftmaxModel
        Models with the same N, K and M. The direction matters: ``p`` is the
        reference distribution (first argument of KL).

    Returns
    -------
    float
        In ``[0, inf)``; 0 iff the conditionals agree on every input.

    Raises
    ------
    TypeError
        If ``p`` or ``q`` is not a :class:`SoftmaxModel`.
    ValueError
        If the models disagree on N, K or M.

    See Also
    --------
    reverse_kl_divergence : ``KL(q || p)``.

    References
    ----------
    Nielsen et al., arXiv:2506.03784, Sec. 3 (Theorem 3.1: small d_KL does not
    imply similar representations).

    Examples
    --------
    >>> p = SoftmaxModel([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> q = SoftmaxModel([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> kl_divergence(p, p)
    0.0
    >>> round(kl_divergence(p, q), 6)
    0.037328
    """
    lp, lq = _log_pair("kl_divergence", p, q)
    return float(_kl_terms(lp, lq).sum(axis=0).mean())


def reverse_kl_divergence(p: SoftmaxModel, q: SoftmaxModel, /) -> float:
    """Mean reverse Kullback-Leibler divergence ``KL(q || p)``, in nats.

    The same as ``kl_divergence(q, p)`` (see there for the formula and the
    precision argument); offered so that a report can list both directions.

    Returns
    -------
    float
        In ``[0, inf)``.
    """
    lp, lq = _log_pair("reverse_kl_divergence", p, q)
    return float(_kl_terms(lq, lp).sum(axis=0).mean())


def js_divergence(p: SoftmaxModel, q: SoftmaxModel, /) -> float:
    """Mean Jensen-Shannon divergence between the conditionals, natural log.

    ``JS = 0.5 KL(p || m) + 0.5 KL(q || m)`` with ``m = (p + q) / 2``, averaged
    over the inputs. Computed as ``0.5 sum_k m_k (phi(log p - log m) +
    phi(log q - log m))`` (see :func:`kl_divergence`), where, with
    ``s = |log p - log q|``, the larger of the two log-ratios is
    ``-log1p(expm1(-s) / 2)`` (in ``[0, ln 2]``) and the smaller is that minus
    ``s``: non-negative, accurate near ``p = q``, exactly 0 at ``p = q`` and
    exactly symmetric in ``p, q``.

    Returns
    -------
    float
        In ``[0, ln 2]``; symmetric. (Its square root is a metric.)

    References
    ----------
    Lin, "Divergence measures based on the Shannon entropy", IEEE Trans. Inf.
    Theory 37 (1991).

    Examples
    --------
    >>> p = SoftmaxModel([[5.0, 0.0], [0.0, 5.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> q = SoftmaxModel([[0.0, 5.0], [5.0, 0.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> js_divergence(p, q) == js_divergence(q, p)
    True
    >>> round(js_divergence(p, q), 6)
    0.648626
    """
    lp, lq = _log_pair("js_divergence", p, q)
    s = np.abs(lp - lq)
    big_minus_m = -np.log1p(0.5 * np.expm1(-s))  # log max(p, q) - log m, in [0, ln 2]
    lm = np.maximum(lp, lq) - big_minus_m
    per_input = (0.5 * np.exp(lm) * (_phi(big_minus_m) + _phi(big_minus_m - s))).sum(axis=0)
    # JS <= ln 2 mathematically; clip a last-ulp excess so the stated range holds.
    return float(np.clip(per_input, 0.0, math.log(2.0)).mean())


def tv_distance(p: SoftmaxModel, q: SoftmaxModel, /) -> float:
    """Mean total-variation distance ``(1/N) sum_n 0.5 sum_k |p(y_k|x_n) - q(y_k|x_n)|``.

    ``|p - q|`` is evaluated as ``exp(max(log p, log q)) * (1 - exp(-|log p - log q|))``
    (with ``expm1``), which is accurate when ``p ~ q`` and exactly symmetric.

    Returns
    -------
    float
        In ``[0, 1]``; symmetric, a metric on the conditionals.

    Examples
    --------
    >>> p = SoftmaxModel([[5.0, 0.0], [0.0, 5.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> round(tv_distance(p, SoftmaxModel(p.F[::-1], p.G)), 6)
    0.980055
    """
    lp, lq = _log_pair("tv_distance", p, q)
    absdiff = np.exp(np.maximum(lp, lq)) * -np.expm1(-np.abs(lp - lq))
    per_input = 0.5 * absdiff.sum(axis=0)
    return float(np.clip(per_input, 0.0, 1.0).mean())  # TV <= 1; clip last-ulp rounding


def hellinger_distance(p: SoftmaxModel, q: SoftmaxModel, /) -> float:
    """Mean Hellinger distance ``(1/N) sum_n sqrt(0.5 sum_k (sqrt p_k - sqrt q_k)^2)``.

    Per input ``H^2 = 0.5 sum_k (sqrt p_k - sqrt q_k)^2``, each summand
    evaluated as ``exp(max(log p, log q)) * expm1(-|log p - log q| / 2)^2``
    (accurate near ``p = q`` and exactly symmetric).

    Returns
    -------
    float
        In ``[0, 1]``; symmetric, a metric on the conditionals.
    """
    lp, lq = _log_pair("hellinger_distance", p, q)
    h2 = 0.5 * (np.exp(np.maximum(lp, lq)) * np.expm1(-0.5 * np.abs(lp - lq)) ** 2).sum(axis=0)
    # H^2 lies in [0, 1]; clip last-ulp rounding before the square root.
    return float(np.sqrt(np.clip(h2, 0.0, 1.0)).mean())


def chi2_divergence(p: SoftmaxModel, q: SoftmaxModel, /) -> float:
    """Mean Pearson chi-squared divergence ``(1/N) sum_n sum_k (p_k - q_k)^2 / q_k``.

    Each summand ``q_k expm1(d_k)^2`` (``d = log p - log q``) is evaluated in
    log space, ``exp(log q_k + 2 log|expm1(d_k)|)``, so that neither a huge
    ``e^d`` nor a cancellation near ``d = 0`` spoils it.

    Returns
    -------
    float
        In ``[0, inf]``. Asymmetric; unbounded: when ``q`` gives some label
        a probability so small that the divergence exceeds the float64 range,
        the result is ``inf`` (an overflow, documented, never NaN).
    """
    lp, lq = _log_pair("chi2_divergence", p, q)
    d = lp - lq
    with np.errstate(divide="ignore", over="ignore"):  # log(0) = -inf where d = 0; overflow -> inf
        log_abs_expm1 = np.maximum(d, 0.0) + np.log(-np.expm1(-np.abs(d)))
        per_input = np.exp(lq + 2.0 * log_abs_expm1).sum(axis=0)
        return float(per_input.mean())


def logit_distance(p: SoftmaxModel, q: SoftmaxModel, /) -> float:
    """Logit distance of the follow-up: root mean squared difference of centred log-probabilities.

    ``d_logit(p, q) = sqrt((1/N) sum_n || clr p(.|x_n) - clr q(.|x_n) ||^2)``
    where ``clr p(.|x) = log p(.|x) - mean_k log p(y_k|x)`` (the centred
    log-ratio of the K-vector of probabilities).

    Returns
    -------
    float
        In ``[0, inf)``; symmetric, and a metric on the conditionals of the
        evaluated inputs.

    References
    ----------
    Nielsen et al., arXiv:2602.15438 (the follow-up).

    Examples
    --------
    >>> p = SoftmaxModel([[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> q = SoftmaxModel([[2.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> round(logit_distance(p, q), 6)
    0.57735
    """
    lp, lq = _log_pair("logit_distance", p, q)
    clr_p = lp - lp.mean(axis=0, keepdims=True)
    clr_q = lq - lq.mean(axis=0, keepdims=True)
    return float(np.sqrt(((clr_p - clr_q) ** 2).sum(axis=0).mean()))


# ---------------------------------------------------------------------------
# d_LLV (MATH.md section 3)
# ---------------------------------------------------------------------------


def _check_label(func: str, name: str, value: Any, K: int) -> int:
    idx = check_positive_int(func, name, value, minimum=0)
    if idx >= K:
        fail(func, f"{name} must be a label index in [0, {K - 1}] ({K} labels)", f"{name}={idx}")
    return idx


def _label_terms(
    lp: FloatArray, lq: FloatArray, y0: int, floor_p: float, floor_q: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Label-side quantities of Def. 4.4 for the pivot ``y0``, for every label ``y``.

    Returns ``sigma_p``, ``sigma_q`` and ``h = max(a, b)``, each of shape (K,).
    ``h[y]`` is NaN where ``y == y0`` or a sigma is at or below its floor (the
    label cannot be used with this pivot); such entries are never reported.
    """
    sigma_p = _sd(lp - lp[y0], axis=1)
    sigma_q = _sd(lq - lq[y0], axis=1)
    ok = (sigma_p > floor_p) & (sigma_q > floor_q)
    ok[y0] = False
    h = np.full(lp.shape[0], np.nan)
    sp, sq = sigma_p[ok, None], sigma_q[ok, None]
    a = _sd(lp[ok] / sp - lq[ok] / sq, axis=1)
    b = _sd(lp[y0] / sp - lq[y0] / sq, axis=1)
    h[ok] = np.maximum(a, b)
    return sigma_p, sigma_q, h


def _input_terms(lp: FloatArray, lq: FloatArray, tup: Sequence[int]) -> tuple[float, float, FloatArray, FloatArray]:
    """Input-side quantities of Def. 4.4 for the tuple ``(x_0, x_1..x_M)``: T2, T4, tau_p, tau_q.

    ``tau`` has shape (M,). T2 and T4 are only meaningful when every tau is
    above its floor; the caller checks that before using them.
    """
    x0, xs = tup[0], list(tup[1:])
    tau_p = _sd(lp[:, xs] - lp[:, [x0]], axis=0)
    tau_q = _sd(lq[:, xs] - lq[:, [x0]], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero tau: caller rejects the tuple
        c = _sd(lp[:, xs] / tau_p - lq[:, xs] / tau_q, axis=0)
        e = _sd(lp[:, [x0]] / tau_p - lq[:, [x0]] / tau_q, axis=0)
        t2 = float(np.max(np.maximum(c, e)))
    t4 = float(np.max(np.abs(tau_p - tau_q)))
    return t2, t4, tau_p, tau_q


def llv(
    p: SoftmaxModel,
    q: SoftmaxModel,
    /,
    *,
    label_pivot: int | None = None,
    left_out: int | None = None,
    input_set: Sequence[int] | None = None,
    num_samples: int = DEFAULT_NUM_SAMPLES,
    seed: int = 0,
    lam: float = DEFAULT_LAM,
) -> LLVResult:
    """Log-likelihood variance distance d_LLV (Def. 4.4) with its terms and choices.

    With ``ell = log p(y|x)`` and sample standard deviations (divisor n - 1):

    Label side, for every label ``y`` not in ``{y_0, y_lo}``::

        sigma_p(y) = sd_x[ell_p(y|x) - ell_p(y_0|x)]             (same for q)
        a(y) = sd_x[ell_p(y|x) / sigma_p(y) - ell_q(y|x) / sigma_q(y)]
        b(y) = sd_x[ell_p(y_0|x) / sigma_p(y) - ell_q(y_0|x) / sigma_q(y)]
        T1 = max_y max(a(y), b(y)),   T3 = max_y |sigma_p(y) - sigma_q(y)|

    Input side, for i = 1..M, standard deviations over all K labels::

        tau_p(x_i) = sd_y[ell_p(y|x_i) - ell_p(y|x_0)]           (same for q)
        c(i) = sd_y[ell_p(y|x_i) / tau_p(x_i) - ell_q(y|x_i) / tau_q(x_i)]
        e(i) = sd_y[ell_p(y|x_0) / tau_p(x_i) - ell_q(y|x_0) / tau_q(x_i)]
        T2 = max_i max(c(i), e(i)),   T4 = max_i |tau_p(x_i) - tau_q(x_i)|

    ``d_LLV = max(T1, T2, lam * T3, lam * T4)``.

    Choices (each can be passed explicitly instead):

    * ``(label_pivot, left_out)``: exhaustive search over ordered pairs
      ``y_0 != y_lo`` minimising T1; ties go to the lowest ``y_0``, then the
      lowest ``y_lo``. A pair is admissible only if ``sigma_p(y)`` and
      ``sigma_q(y)`` exceed :func:`~metrics._pivots.sd_floor` of their model
      for every remaining label. If only one of the two is given, the other
      is searched with it fixed.
    * ``input_set``: the candidates are
      ``input_tuples(N, M, num_samples, seed)`` (disjoint random
      (M+1)-tuples, x_0 first); the tuple with the smallest T2 is kept (the
      earliest wins ties); tuples with a tau at or below the floor are
      skipped.

    Parameters
    ----------
    p, q : SoftmaxModel
        Models with the same N, K, M, with ``K >= max(3, M + 1)`` and
        ``N >= M + 1``.
    label_pivot, left_out : int, optional
        0-based label indices of ``y_0`` and ``y_lo`` (distinct).
    input_set : sequence of int, optional
        M + 1 distinct 0-based input indices, ``x_0`` first.
    num_samples : int, default 200
        Number of candidate input tuples (capped at ``N // (M + 1)``).
    seed : int, default 0
        Seed of :func:`~metrics._pivots.input_tuples`.
    lam : float, default 1e-5
        Weight of the scale terms T3, T4 (>= 0).

    Returns
    -------
    LLVResult
        ``value`` in ``[0, inf)``, the four terms, ``lam`` and the choices.
        With every choice fixed, d_LLV is a max of pseudometrics; with the
        searches included symmetry and the triangle inequality are not
        guaranteed. 0 on an identifiability class (up to rounding).

    Raises
    ------
    TypeError
        If a model is not a :class:`SoftmaxModel` or an index is not an integer.
    ValueError
        On mismatched models, ``K < 3``, ``K < M + 1``, ``N < M + 1``,
        ``label_pivot == left_out``, indices out of range, a repeated input
        or an ``input_set`` of the wrong length.
    DegenerateInputError
        If a sigma or tau that the distance divides by is (numerically) zero:
        for explicit choices, naming the label or input and the model; for
        searches, when no admissible candidate exists.

    References
    ----------
    Nielsen et al., arXiv:2506.03784, Def. 4.4.

    Examples
    --------
    >>> F = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]]
    >>> G = [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [-1.0, -1.0]]
    >>> p = SoftmaxModel(F, G)
    >>> res = llv(p, p)
    >>> res.value, res.label_pivot, res.left_out
    (0.0, 0, 1)
    """
    return _llv(
        "llv", p, q, label_pivot=label_pivot, left_out=left_out, input_set=input_set,
        num_samples=num_samples, seed=seed, lam=lam,
    )  # fmt: skip


def _llv(
    func: str,
    p: SoftmaxModel,
    q: SoftmaxModel,
    /,
    *,
    label_pivot: int | None,
    left_out: int | None,
    input_set: Sequence[int] | None,
    num_samples: int,
    seed: int,
    lam: float,
) -> LLVResult:
    """:func:`llv` with the name that error messages give (``llv`` or ``llv_distance``)."""
    check_pair(func, p, q, need_diversity=True)
    K, N, M = p.K, p.N, p.M
    if K < 3:
        fail(func, "d_LLV needs K >= 3 labels (a pivot, a left-out label and at least one more)", f"K={K}")
    lam = check_range(func, "lam", lam, low=0.0, high=math.inf)
    num_samples = check_positive_int(func, "num_samples", num_samples)
    seed = check_positive_int(func, "seed", seed, minimum=0)
    y0_fixed = None if label_pivot is None else _check_label(func, "label_pivot", label_pivot, K)
    ylo_fixed = None if left_out is None else _check_label(func, "left_out", left_out, K)
    if y0_fixed is not None and y0_fixed == ylo_fixed:
        fail(
            func,
            "label_pivot and left_out must be different labels",
            f"label_pivot={y0_fixed} and left_out={ylo_fixed}",
        )
    tup_fixed: tuple[int, ...] | None = None
    if input_set is not None:
        if isinstance(input_set, (str, bytes)) or not hasattr(input_set, "__iter__"):
            fail(func, "input_set must be a sequence of input indices", f"input_set={input_set!r}", error=TypeError)
        tup_fixed = check_indices(func, "input_set", list(input_set), size=N, axis_name="inputs", length=M + 1)

    lp, lq = p.log_likelihoods(), q.log_likelihoods()
    floor_p, floor_q = sd_floor(p.F, p.G), sd_floor(q.F, q.G)

    # --- label side: pivots -------------------------------------------------
    y0s = range(K) if y0_fixed is None else [y0_fixed]
    ylos = range(K) if ylo_fixed is None else [ylo_fixed]
    best: tuple[float, int, int] | None = None
    for y0 in y0s:
        sigma_p, sigma_q, h = _label_terms(lp, lq, y0, floor_p, floor_q)
        for ylo in ylos:
            if ylo == y0:
                continue
            rest = [y for y in range(K) if y not in (y0, ylo)]
            if np.isnan(h[rest]).any():  # some remaining label has a zero sigma
                if y0_fixed is not None and ylo_fixed is not None:
                    _raise_zero_sigma(func, y0, ylo, rest, sigma_p, sigma_q, floor_p, floor_q)
                continue
            t1 = float(np.max(h[rest]))
            if best is None or improves(t1, best[0]):
                best = (t1, y0, ylo)
    if best is None:
        _raise_no_admissible_pair(func, lp, lq, y0s, ylos, floor_p, floor_q)
    t1, y0, ylo = best
    sigma_p, sigma_q, _ = _label_terms(lp, lq, y0, floor_p, floor_q)
    rest = [y for y in range(K) if y not in (y0, ylo)]
    t3 = float(np.max(np.abs(sigma_p[rest] - sigma_q[rest])))

    # --- input side: input set ---------------------------------------------
    if tup_fixed is not None:
        t2, t4, tau_p, tau_q = _input_terms(lp, lq, tup_fixed)
        for tau, floor, model in ((tau_p, floor_p, "p"), (tau_q, floor_q, "q")):
            zero = [tup_fixed[1 + i] for i in np.flatnonzero(tau <= floor)]
            if zero:
                fail(
                    func,
                    f"tau_{model}(x_i) = sd over labels of log {model}(y|x_i) - log {model}(y|x_0) must be positive "
                    "for every x_i in input_set",
                    f"tau_{model} <= {floor:.3g} (zero) for x_i in {zero} with x_0={tup_fixed[0]} in model {model}",
                    "Pick inputs whose log-likelihoods differ from x_0's by more than a constant.",
                    error=DegenerateInputError,
                )
        chosen = tup_fixed
    else:
        candidates = input_tuples(N, M, num_samples, seed)
        t2, t4, chosen_or_none = math.inf, math.inf, None
        for cand in candidates:
            c_t2, c_t4, tau_p, tau_q = _input_terms(lp, lq, cand)
            if np.any(tau_p <= floor_p) or np.any(tau_q <= floor_q):
                continue  # degenerate tuple: T2 would divide by zero
            if improves(c_t2, t2):
                t2, t4, chosen_or_none = c_t2, c_t4, tuple(int(i) for i in cand)
        if chosen_or_none is None:
            _raise_no_admissible_tuple(func, len(candidates), num_samples, seed)
        chosen = chosen_or_none

    value = max(t1, t2, lam * t3, lam * t4)
    return LLVResult(
        value=float(value), t1=t1, t2=float(t2), t3=t3, t4=float(t4), lam=lam,
        label_pivot=int(y0), left_out=int(ylo), input_set=tuple(int(i) for i in chosen),
    )  # fmt: skip


def _raise_zero_sigma(
    func: str,
    y0: int,
    ylo: int,
    rest: list[int],
    sigma_p: FloatArray,
    sigma_q: FloatArray,
    floor_p: float,
    floor_q: float,
) -> None:
    for sigma, floor, model in ((sigma_p, floor_p, "p"), (sigma_q, floor_q, "q")):
        zero = [y for y in rest if sigma[y] <= floor]
        if zero:
            fail(
                func,
                f"sigma_{model}(y) = sd over inputs of log {model}(y|x) - log {model}(y_0|x) must be positive "
                "for every label y other than label_pivot and left_out",
                f"sigma_{model}(y={zero[0]}) = {sigma[zero[0]]:.3g} <= {floor:.3g} in model {model} "
                f"(label_pivot={y0}, left_out={ylo}; zero for labels {_listed(zero)})",
                f"Label {zero[0]}'s log-odds against label {y0} are constant over the inputs: "
                f"choose another label_pivot, or left_out={zero[0]}, or let llv search.",
                error=DegenerateInputError,
            )


def _raise_no_admissible_pair(
    func: str,
    lp: FloatArray,
    lq: FloatArray,
    y0s: Sequence[int],
    ylos: Sequence[int],
    floor_p: float,
    floor_q: float,
) -> NoReturn:
    zero: list[str] = []
    for y0 in y0s:
        sigma_p, sigma_q, _ = _label_terms(lp, lq, y0, floor_p, floor_q)
        for y in range(lp.shape[0]):
            if y != y0 and (sigma_p[y] <= floor_p or sigma_q[y] <= floor_q):
                zero.append(f"({y0}, {y}) in {'p' if sigma_p[y] <= floor_p else 'q'}")
    fail(
        func,
        "d_LLV needs a label pivot y_0 and a left-out label such that every other label y has non-constant "
        "log-odds against y_0 (sigma_p(y) > 0 and sigma_q(y) > 0)",
        f"no admissible pair among label_pivot in {_listed(list(y0s))}, left_out in {_listed(list(ylos))}; "
        f"zero sigma for (y_0, y) = {_listed(zero)}",
        "Labels whose unembeddings differ only along directions in which the embeddings F do not vary "
        "(e.g. identical rows of G, or a constant F) cannot be used with each other as pivot.",
        error=DegenerateInputError,
    )
    raise AssertionError("unreachable: fail() raises")


def _raise_no_admissible_tuple(func: str, count: int, num_samples: int, seed: int) -> NoReturn:
    fail(
        func,
        "the input set needs inputs x_1..x_M whose log-likelihoods differ from x_0's by more than a constant "
        "(tau > 0 in both models)",
        f"all {count} candidate tuples (num_samples={num_samples}, seed={seed}) degenerate",
        "Pass input_set explicitly, or check that the embeddings F vary.",
        error=DegenerateInputError,
    )
    raise AssertionError("unreachable: fail() raises")


def llv_distance(
    p: SoftmaxModel,
    q: SoftmaxModel,
    /,
    *,
    label_pivot: int | None = None,
    left_out: int | None = None,
    input_set: Sequence[int] | None = None,
    num_samples: int = DEFAULT_NUM_SAMPLES,
    seed: int = 0,
    lam: float = DEFAULT_LAM,
) -> float:
    """The value of :func:`llv` (d_LLV, Def. 4.4) as a float in ``[0, inf)``.

    Same parameters, exceptions and choices as :func:`llv`.
    """
    return _llv(
        "llv_distance", p, q, label_pivot=label_pivot, left_out=left_out, input_set=input_set,
        num_samples=num_samples, seed=seed, lam=lam,
    ).value  # fmt: skip


# ---------------------------------------------------------------------------
# PLS-SVD similarity and d_{f,g} (MATH.md section 4)
# ---------------------------------------------------------------------------


def _m_svd(func: str, names: tuple[str, str], Z: Any, Zp: Any) -> float:
    """m_SVD(Z, Z') with validation; messages name ``func`` and the two arrays ``names``."""
    a, b = names
    Z = as_float_matrix(func, a, Z, min_rows=2)
    Zp = as_float_matrix(func, b, Zp, min_rows=2)
    if Z.shape != Zp.shape:
        fail(
            func,
            f"{a} and {b} must have the same shape (n samples x M)",
            f"{a}.shape={Z.shape} and {b}.shape={Zp.shape}",
        )
    n, M = Z.shape
    standardised = []
    for name, X in ((a, Z), (b, Zp)):
        centred = X - X.mean(axis=0)
        sd = _sd(X, axis=0)
        # A column counts as constant when its sd is at rounding level of its own magnitude.
        const = np.flatnonzero(sd <= SD_RTOL * np.abs(X).max(axis=0))
        if const.size:
            fail(
                func,
                f"every column of {name} must vary (d_SVD standardises the columns)",
                f"constant column(s) {const.tolist()} in {name} (shape {X.shape})",
                error=DegenerateInputError,
            )
        standardised.append(centred / sd)
    R = standardised[0].T @ standardised[1] / (n - 1)
    return float(np.linalg.svd(R, compute_uv=False).sum() / M)


def svd_similarity(Z: Any, Zp: Any, /) -> float:
    """PLS-SVD similarity ``m_SVD(Z, Z')`` of two n x M matrices.

    Each column is standardised (centred, divided by its sample sd, divisor
    n - 1), ``R = Zs^T Zs' / (n - 1)`` is the M x M cross-correlation matrix and
    ``m_SVD = ||R||_* / M`` (nuclear norm: the sum of singular values).

    Parameters
    ----------
    Z, Zp : array_like, shape (n, M)
        ``n >= 2`` rows; the same shape.

    Returns
    -------
    float
        In ``[0, 1]`` up to rounding (``||A^T B||_* <= ||A||_F ||B||_F = M``
        for the unit-norm columns of the standardised matrices); 1 when
        ``Zp = Z`` (or its columns are affine maps of Z's columns with positive
        or negative scale). Invariant to shifting or rescaling single columns.

    Raises
    ------
    ValueError
        On shapes that differ, fewer than 2 rows, or non-finite entries.
    TypeError
        On complex or non-numeric arrays.
    DegenerateInputError
        If a column is constant: its sd is at most ``SD_RTOL = 1e-12`` times
        its largest absolute entry (zero, or constant up to rounding), so that
        standardising it would divide by (numerical) zero.

    References
    ----------
    Nielsen et al., arXiv:2506.03784, Def. 4.5.

    Examples
    --------
    >>> Z = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [3.0, -1.0]]
    >>> round(svd_similarity(Z, Z), 12)
    1.0
    """
    return _m_svd("svd_similarity", ("Z", "Zp"), Z, Zp)


def svd_dissimilarity(Z: Any, Zp: Any, /) -> float:
    """PLS-SVD dissimilarity ``d_SVD(Z, Z') = 1 - m_SVD(Z, Z')``, in ``[0, 1]``.

    See :func:`svd_similarity`. The result is clipped into ``[0, 1]``: the
    bound ``m_SVD <= 1`` is exact, but rounding can push ``m_SVD`` a few ulps
    above 1 for (near-)identical inputs, which would give a tiny negative
    "distance".

    Examples
    --------
    >>> Z = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [3.0, -1.0]]
    >>> round(svd_dissimilarity(Z, Z), 12)
    0.0
    """
    return float(np.clip(1.0 - _m_svd("svd_dissimilarity", ("Z", "Zp"), Z, Zp), 0.0, 1.0))


def _d_svd(func: str, names: tuple[str, str], Z: FloatArray, Zp: FloatArray) -> float:
    return float(np.clip(1.0 - _m_svd(func, names, Z, Zp), 0.0, 1.0))  # see svd_dissimilarity


def _check_llv_result(func: str, res: Any, K: int, N: int, M: int) -> LLVResult:
    if not isinstance(res, LLVResult):
        fail(func, "llv_result must be an LLVResult (from llv(p, q))", f"{type(res).__name__}", error=TypeError)
    y0 = _check_label(func, "llv_result.label_pivot", res.label_pivot, K)
    ylo = _check_label(func, "llv_result.left_out", res.left_out, K)
    if y0 == ylo:
        fail(func, "llv_result.label_pivot and llv_result.left_out must differ", f"both {y0}")
    check_indices(func, "llv_result.input_set", res.input_set, size=N, axis_name="inputs", length=M + 1)
    return res


def fg_dissimilarity(
    p: SoftmaxModel,
    q: SoftmaxModel,
    /,
    *,
    llv_result: LLVResult | None = None,
    max_subsets: int = DEFAULT_MAX_SUBSETS,
    seed: int = 0,
    **llv_kwargs: Any,
) -> FGResult:
    """PLS-SVD dissimilarity d_{f,g} (Def. 4.5) with the pivots and input set of d_LLV.

    Embedding side: for each M-subset ``S`` of the labels other than ``y_0``
    and ``y_lo``, ``L_S`` has rows ``g(y_i) - g(y_0)`` (i in S), built from
    each model's own G; ``d_SVD(F L_S^T, F' L'_S^T)``; the maximum over the
    subsets. Unembedding side: ``N_X`` has rows ``f(x_i) - f(x_0)`` over the
    input set; ``d_SVD(G N_X^T, G' N'_X^T)`` over all K labels.
    ``d_{f,g} = max(embedding side, unembedding side)``.

    Parameters
    ----------
    p, q : SoftmaxModel
        Models with the same N, K, M.
    llv_result : LLVResult, optional
        Supplies ``label_pivot``, ``left_out`` and ``input_set``. When None,
        ``llv(p, q, seed=seed, **llv_kwargs)`` is computed.
    max_subsets : int, default 1000
        If the labels other than ``y_0, y_lo`` have at most this many
        M-subsets, all are examined (in lexicographic order); otherwise this
        many are drawn by :func:`~metrics._pivots.label_subsets` from ``seed``.
    seed : int, default 0
        Seed of the subset sample and, when ``llv_result`` is None, of d_LLV's
        input tuples.
    **llv_kwargs
        Passed to :func:`llv` (only when ``llv_result`` is None).

    Returns
    -------
    FGResult
        ``value``, ``d_svd_f``, ``d_svd_g`` in ``[0, 1]``, the number of
        subsets examined, whether that was all of them, and the subset
        attaining ``d_svd_f`` (the earliest one on ties). 0 on an
        identifiability class. Thm. 4.6: ``value <= 2 M d_LLV`` for the same
        choices.

    Raises
    ------
    TypeError, ValueError, DegenerateInputError
        As :func:`llv`; also ``TypeError`` if ``llv_kwargs`` are given with an
        ``llv_result``, and ``DegenerateInputError`` if a column of some
        ``F L_S^T`` or ``G N_X^T`` is constant.

    References
    ----------
    Nielsen et al., arXiv:2506.03784, Def. 4.5 and Thm. 4.6.
    """
    func = "fg_dissimilarity"
    check_pair(func, p, q, need_diversity=True)
    K, N, M = p.K, p.N, p.M
    max_subsets = check_positive_int(func, "max_subsets", max_subsets)
    seed = check_positive_int(func, "seed", seed, minimum=0)
    if llv_result is None:
        llv_result = llv(p, q, seed=seed, **llv_kwargs)
    elif llv_kwargs:
        fail(
            func,
            "options for llv apply only when llv_result is None",
            f"llv_result and {sorted(llv_kwargs)}",
            "Pass either llv_result or the llv options.",
            error=TypeError,
        )
    res = _check_llv_result(func, llv_result, K, N, M)
    y0, ylo = res.label_pivot, res.left_out

    subsets, exhaustive = label_subsets(K, (y0, ylo), M, max_subsets, seed)
    d_f, worst = -math.inf, tuple(int(i) for i in subsets[0])
    for S in subsets:
        L_p = p.G[S] - p.G[y0]  # (M, M): rows g(y_i) - g(y_0)
        L_q = q.G[S] - q.G[y0]
        d = _d_svd(func, ("F_p L_S^T", "F_q L_S^T"), p.F @ L_p.T, q.F @ L_q.T)
        if d > d_f:
            d_f, worst = d, tuple(int(i) for i in S)

    x0, xs = res.input_set[0], list(res.input_set[1:])
    N_p = p.F[xs] - p.F[x0]  # (M, M): rows f(x_i) - f(x_0)
    N_q = q.F[xs] - q.F[x0]
    d_g = _d_svd(func, ("G_p N_X^T", "G_q N_X^T"), p.G @ N_p.T, q.G @ N_q.T)

    return FGResult(
        value=max(d_f, d_g), d_svd_f=d_f, d_svd_g=d_g, num_subsets=len(subsets),
        exhaustive=bool(exhaustive), worst_subset=worst,
    )  # fmt: skip


# ---------------------------------------------------------------------------
# d_rep (MATH.md section 5)
# ---------------------------------------------------------------------------


def fg_distance(p: SoftmaxModel, q: SoftmaxModel, /, **kwargs: Any) -> float:
    """d_{f,g} as a float: the ``value`` of :func:`fg_dissimilarity` (same keywords)."""
    return fg_dissimilarity(p, q, **kwargs).value


def rep_distance(
    p: SoftmaxModel,
    q: SoftmaxModel,
    /,
    *,
    num_samples: int = DEFAULT_REP_SAMPLES,
    seed: int = 0,
) -> float:
    """Representational distance d_rep of the follow-up, mapping q's embeddings into p's coordinates.

    For each sampled pivot ``y_0`` and M-subset ``S`` of the other labels
    (:func:`~metrics._pivots.rep_pivots`), ``L_S`` has rows
    ``g_p(y_i) - g_p(y_0)`` and ``L'_S`` rows ``g_q(y_i) - g_q(y_0)``;
    ``A = L_S^{-1} L'_S`` maps q's embeddings into p's coordinates (exactly,
    ``A = B^{-1}`` when ``f_q = B f_p`` and ``g_q = B^{-T} g_p + c``), and::

        d_rep(p, q)^2 = mean over (y_0, S) of (1/N) sum_n || f_p(x_n) - A f_q(x_n) ||^2.

    Direction: the error is measured in p's embedding space (p's units), so
    ``rep_distance(p, q) != rep_distance(q, p)`` in general.

    Parameters
    ----------
    p, q : SoftmaxModel
        Models with the same N, K, M and ``K >= M + 1``.
    num_samples : int, default 100
        Number of sampled (y_0, S) pairs.
    seed : int, default 0
        Seed of the sample.

    Returns
    -------
    float
        In ``[0, inf)``; 0 on an identifiability class, up to rounding
        (below 1e-9 in the tests for cond(A) up to 1e3).

    Raises
    ------
    DegenerateInputError
        If every sample is skipped (e.g. the unembeddings are affinely
        degenerate).

    Notes
    -----
    Ill-conditioned samples are skipped, not averaged: a sample is kept only
    when, in both models, ``kappa = max(sigma_max(L_S), max_k ||g(y_k)||) /
    sigma_min(L_S)`` (:func:`~metrics._pivots.rep_conditioning`) is at most
    ``REP_MAX_COND = 1e-10 / eps`` (about 4.5e5). The solve for A amplifies
    the rounding of the stored unembeddings by kappa (and the residual by a
    further cond(A)), so on an exactly equivalent pair a subset whose labels
    are nearly affinely dependent would otherwise turn rounding into a
    spurious d_rep (a subset with cond(L_S) ~ 1e8 gave ~3e-3 under the old
    cut-off, cond <= 1e12). The criterion depends on each model's labels
    only, so both directions and both implementations average the same
    samples.

    References
    ----------
    Nielsen et al., arXiv:2602.15438 (the follow-up).

    Examples
    --------
    >>> F = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    >>> G = [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    >>> p, q = SoftmaxModel(F, G), SoftmaxModel(F, 2 * np.asarray(G))
    >>> round(rep_distance(p, q), 12), round(rep_distance(q, p), 12)
    (1.154700538379, 0.57735026919)
    """
    func = "rep_distance"
    check_pair(func, p, q, need_diversity=True)
    num_samples = check_positive_int(func, "num_samples", num_samples)
    seed = check_positive_int(func, "seed", seed, minimum=0)
    pivots, subsets = rep_pivots(p.K, p.M, num_samples, seed)
    terms: list[float] = []
    for y0, S in zip(pivots, subsets, strict=True):
        # Rounding of the stored rows, amplified by kappa, would masquerade as distance: skip.
        if rep_conditioning(p.G, y0, S) > REP_MAX_COND or rep_conditioning(q.G, y0, S) > REP_MAX_COND:
            continue
        A = np.linalg.solve(p.G[S] - p.G[y0], q.G[S] - q.G[y0])
        resid = p.F - q.F @ A.T  # row n: f_p(x_n) - A f_q(x_n)
        terms.append(float((resid**2).sum(axis=1).mean()))
    if not terms:
        fail(
            func,
            f"d_rep needs label subsets whose differences g(y_i) - g(y_0) are well conditioned "
            f"(kappa = max(sigma_max, max ||g||) / sigma_min <= {REP_MAX_COND:.1e}) in both models",
            f"all {num_samples} sampled (y_0, S) pairs ill-conditioned (seed={seed})",
            "Check that the unembeddings G of both models span M dimensions after removing a common shift, "
            "with differences well above rounding relative to their norms.",
            error=DegenerateInputError,
        )
    return float(np.sqrt(np.mean(terms)))


# ---------------------------------------------------------------------------
# Everything at once
# ---------------------------------------------------------------------------


def model_distances(
    p: SoftmaxModel,
    q: SoftmaxModel,
    /,
    *,
    label_pivot: int | None = None,
    left_out: int | None = None,
    input_set: Sequence[int] | None = None,
    num_samples: int = DEFAULT_NUM_SAMPLES,
    seed: int = 0,
    lam: float = DEFAULT_LAM,
    max_subsets: int = DEFAULT_MAX_SUBSETS,
    rep_samples: int = DEFAULT_REP_SAMPLES,
) -> ModelDistances:
    """Every distance between two softmax models, in float64.

    The distribution distances, d_LLV (with the given or searched choices),
    d_{f,g} on d_LLV's choices, ``mCCA(F_p, F_q)``
    (:func:`metrics.representation.cca_mean_corr`) and d_rep (direction: q's
    embeddings mapped into p's coordinates). One ``seed`` drives every random
    choice.

    Returns
    -------
    ModelDistances
        ``to_dict()`` gives the JSON contract; ``bound`` is ``2 M d_LLV``.

    Raises
    ------
    TypeError, ValueError, DegenerateInputError
        As the individual functions.

    References
    ----------
    Nielsen et al., arXiv:2506.03784; Nielsen et al., arXiv:2602.15438.
    """
    from metrics.representation import cca_mean_corr  # written separately; imported when needed

    check_pair("model_distances", p, q, need_diversity=True)
    llv_res = llv(
        p, q, label_pivot=label_pivot, left_out=left_out, input_set=input_set,
        num_samples=num_samples, seed=seed, lam=lam,
    )  # fmt: skip
    return ModelDistances(
        kl=kl_divergence(p, q),
        kl_reverse=reverse_kl_divergence(p, q),
        js=js_divergence(p, q),
        tv=tv_distance(p, q),
        hellinger=hellinger_distance(p, q),
        chi2=chi2_divergence(p, q),
        logit=logit_distance(p, q),
        llv=llv_res,
        fg=fg_dissimilarity(p, q, llv_result=llv_res, max_subsets=max_subsets, seed=seed),
        mcca=float(cca_mean_corr(p.F, q.F)),
        d_rep=rep_distance(p, q, num_samples=rep_samples, seed=seed),
        M=p.M,
    )
