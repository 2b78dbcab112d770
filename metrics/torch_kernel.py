"""Kernel and independence measures in torch: batched HSIC, CKA variants, dCor.

The same measures, with the same names, conventions and messages, as the
numpy reference :mod:`metrics.kernel`, over batches: ``X`` has shape
(..., n, p) and ``Y`` shape (..., n, q), the leading (batch) dimensions
broadcast against each other, and every function returns a tensor of the
broadcast batch shape (a 0-d tensor for plain matrices).

* dtype and device are kept (float32 in, float32 out); integer and boolean
  tensors become float64, and ``X`` and ``Y`` must then share a dtype and a
  device (the checks of :mod:`metrics.torch_representation`).
* Differentiable everywhere off degenerate inputs, except where the maths
  has a kink: ``cka_angular`` at ``d = 0`` (arccos at 1),
  ``distance_correlation`` at ``dCor = 0`` (square root), the RBF bandwidth
  where two squared distances tie at the median. Coincident rows are fine:
  distances come from :func:`torch.cdist` with exact differences, whose
  derivative at a zero distance is taken as 0, and ``D^exponent`` is
  guarded the same way.
* No n x n matrix is built by the linear-kernel measures when ``p < n`` and
  ``q < n`` (the feature path of the numpy reference); the RBF kernel and
  the distance measures need n x n matrices.
* Degenerate inputs are checked per batch element and raise
  :class:`~metrics._validation.DegenerateInputError` naming the first bad
  index. The zero-``U(K)`` threshold of debiased CKA is ``8 n eps`` with the
  eps of the input dtype.
"""

from __future__ import annotations

import torch

from metrics._validation import DegenerateInputError, check_positive_int, check_range, fail
from metrics.kernel import (
    DEFAULT_BATCH_SIZE,
    MIN_ROWS_UNBIASED,
    SELF_HSIC_FIX,
    SELF_HSIC_RTOL,
    Median,
    _batch_bounds,
    _check_median,
    _self_hsic_rule,
    _use_features,
)
from metrics.torch_representation import (
    _centre,
    _cka_features,
    _cka_gram,
    _require_nonconstant,
    _unit_frobenius,
    _validate_pair,
)

__all__ = [
    "cka_angular",
    "cka_debiased",
    "cka_minibatch",
    "cka_rbf",
    "distance_alignment",
    "distance_correlation",
    "hsic_linear",
    "hsic_linear_unbiased",
    "kernel_alignment",
]

Terms = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


# --------------------------------------------------------------------------- helpers


def _first_index(mask: torch.Tensor) -> str:
    """``"[i, j]"`` of the first True entry of a batched mask, ``""`` for a 0-d mask."""
    if mask.ndim == 0:
        return ""
    return "[" + ", ".join(str(int(i)) for i in torch.nonzero(mask)[0]) + "]"


def _require_unbiased_rows(func: str, Xt: torch.Tensor, Yt: torch.Tensor) -> None:
    n = Xt.shape[-2]
    if n < MIN_ROWS_UNBIASED:
        fail(
            func,
            "X and Y must have at least 4 rows (samples) for the unbiased HSIC estimator, whose "
            "normalisation divides by n (n - 3) and by (n - 2)",
            f"n={n} (X.shape={tuple(Xt.shape)}, Y.shape={tuple(Yt.shape)})",
            "Use more samples, or the biased estimator (hsic_linear, cka_linear).",
            error=DegenerateInputError,
        )


def _frob2(A: torch.Tensor) -> torch.Tensor:
    """Squared Frobenius norm over the last two dimensions."""
    return (A * A).sum(dim=(-2, -1))


def _hsic1_features(Xc: torch.Tensor, Yc: torch.Tensor) -> torch.Tensor:
    """``n (n - 3) HSIC_1`` of centred inputs from feature products (see the numpy reference)."""
    n = Xc.shape[-2]
    k = (Xc * Xc).sum(dim=-1)
    l = (Yc * Yc).sum(dim=-1)
    cross = _frob2(Xc.mT @ Yc)
    return cross - n / (n - 2) * (k * l).sum(dim=-1) + k.sum(dim=-1) * l.sum(dim=-1) / ((n - 1) * (n - 2))


def _offdiag_mask(n: int, like: torch.Tensor) -> torch.Tensor:
    return 1.0 - torch.eye(n, dtype=like.dtype, device=like.device)


def _u_centre(K: torch.Tensor) -> torch.Tensor:
    """U-centred matrices (zero diagonal) of a batch of symmetric n x n matrices."""
    n = K.shape[-1]
    mask = _offdiag_mask(n, K)
    Kt = K * mask
    r = Kt.sum(dim=-1)
    s = r.sum(dim=-1)[..., None, None]
    U = Kt - r[..., :, None] / (n - 2) - r[..., None, :] / (n - 2) + s / ((n - 1) * (n - 2))
    return U * mask


def _double_centre(D: torch.Tensor) -> torch.Tensor:
    """``H D H`` over the last two dimensions."""
    return D - D.mean(dim=-2, keepdim=True) - D.mean(dim=-1, keepdim=True) + D.mean(dim=(-2, -1), keepdim=True)


def _debiased_from_features(Xn: torch.Tensor, Yn: torch.Tensor) -> Terms:
    return (
        _hsic1_features(Xn, Yn),
        _hsic1_features(Xn, Xn),
        _hsic1_features(Yn, Yn),
        _frob2(Xn.mT @ Xn),
        _frob2(Yn.mT @ Yn),
    )


def _debiased_from_gram(Kx: torch.Tensor, Ky: torch.Tensor) -> Terms:
    Ux, Uy = _u_centre(Kx), _u_centre(Ky)
    return (
        (Ux * Uy).sum(dim=(-2, -1)),
        _frob2(Ux),
        _frob2(Uy),
        _frob2(_double_centre(Kx)),
        _frob2(_double_centre(Ky)),
    )


def _check_self_hsic(func: str, name: str, self_term: torch.Tensor, scale: torch.Tensor, n: int) -> None:
    """Raise DegenerateInputError where ``||U(K)||^2 <= 8 n eps ||H K H||^2`` in the batch."""
    rtol = SELF_HSIC_RTOL * n * torch.finfo(self_term.dtype).eps
    bad = ~(self_term > rtol * scale)
    if bool(bad.any()):
        where = _first_index(bad)
        s, c = self_term[bad].flatten()[0], scale[bad].flatten()[0]
        ratio = float(s / c) if float(c) > 0 else 0.0
        count = f", {int(bad.sum())} such elements in the batch" if bad.ndim > 0 else ""
        fail(
            func,
            _self_hsic_rule(name),
            f"||U(K)||^2 / ||H K H||^2 = {ratio:.3g} <= 8 n eps = {rtol:.3g} for {name}{where} (n={n}{count})",
            SELF_HSIC_FIX,
            error=DegenerateInputError,
        )


def _debiased_ratio(func: str, terms: Terms, n: int) -> torch.Tensor:
    cross, sx, sy, scale_x, scale_y = terms
    _check_self_hsic(func, "X", sx, scale_x, n)
    _check_self_hsic(func, "Y", sy, scale_y, n)
    # |cross| <= sqrt(sx sy) (Cauchy-Schwarz on U(K), U(L)): clip the rounding overshoot.
    return (cross / torch.sqrt(sx * sy)).clamp(-1.0, 1.0)


def _distances(A: torch.Tensor) -> torch.Tensor:
    """Euclidean distances between rows from exact differences (no Gram-matrix cancellation)."""
    return torch.cdist(A, A, compute_mode="donot_use_mm_for_euclid_dist")


def _safe_pow(D: torch.Tensor, exponent: float) -> torch.Tensor:
    """``D ** exponent`` with value and derivative 0 where ``D = 0`` (``D^b`` has no finite slope there)."""
    if exponent == 1.0:
        return D
    positive = D > 0
    base = torch.where(positive, D, torch.ones_like(D))
    return torch.where(positive, base**exponent, torch.zeros_like(D))


def _median(values: torch.Tensor) -> torch.Tensor:
    """Median over the last dimension, averaging the two middle values of an even count (as numpy)."""
    m = values.shape[-1]
    ordered = values.sort(dim=-1).values
    return (ordered[..., (m - 1) // 2] + ordered[..., m // 2]) / 2


def _rbf_kernel(func: str, name: str, A: torch.Tensor, fraction: float, median: Median) -> torch.Tensor:
    D2 = _distances(A) ** 2
    n = A.shape[-2]
    if median == "offdiag":
        i, j = torch.triu_indices(n, n, offset=1, device=A.device)
        med = _median(D2[..., i, j])
    else:
        med = _median(D2.flatten(-2))
    bad = ~(med > 0)
    if bool(bad.any()):
        fail(
            func,
            f"the median squared distance between the rows of {name} must be positive (it sets the "
            f"RBF bandwidth)",
            f"median=0 for {name}{_first_index(bad)} over the "
            f"{'distinct pairs' if median == 'offdiag' else 'n^2 entries'} ({name}.shape={tuple(A.shape)}): "
            f"more than half of them are zero",
            'Remove duplicated rows, or use median="offdiag" (which ignores the zero diagonal).'
            if median == "all"
            else "Remove duplicated rows.",
            error=DegenerateInputError,
        )
    return torch.exp(-D2 / (2.0 * fraction**2 * med[..., None, None]))


def _distance_cosine(func: str, X: object, Y: object, exponent: float) -> torch.Tensor:
    Xt, Yt = _validate_pair(func, X, Y)
    beta = check_range(func, "exponent", exponent, low=0.0, high=2.0, low_open=True)
    _require_nonconstant(func, "X", _centre(Xt))
    _require_nonconstant(func, "Y", _centre(Yt))
    A = _double_centre(_safe_pow(_distances(Xt), beta))
    B = _double_centre(_safe_pow(_distances(Yt), beta))
    cosine = (A * B).sum(dim=(-2, -1)) / (torch.linalg.matrix_norm(A) * torch.linalg.matrix_norm(B))
    # Nonnegative in exact arithmetic (A, B negative semidefinite): clip before any sqrt.
    return cosine.clamp(0.0, 1.0)


def _scale(A: torch.Tensor) -> torch.Tensor:
    """Frobenius norm of each matrix, detached, 1 where it is 0 (a constant rescaling factor)."""
    norm = torch.linalg.matrix_norm(A).detach()
    return torch.where(norm > 0, norm, torch.ones_like(norm))


# --------------------------------------------------------------------------- HSIC


def hsic_linear(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Biased linear HSIC ``||Xc^T Yc||_F^2 / (n - 1)^2`` over a batch.

    See :func:`metrics.kernel.hsic_linear` (normalisation ``1 / (n - 1)^2``,
    Gretton et al. 2005). Feature path when ``p < n`` and ``q < n``
    (O(n p q), no n x n matrix), Gram path otherwise.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s); floating dtypes are kept, integer and
        boolean ones become float64.
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.

    Returns
    -------
    torch.Tensor, shape (...)
        HSIC in [0, inf), same dtype and device as the inputs; differentiable.

    Raises
    ------
    ValueError
        Mismatched rows, fewer than 2 rows, non-broadcasting batch shapes,
        different devices, or non-finite entries.
    TypeError
        Not a tensor, complex dtype, or ``X`` and ``Y`` of different dtypes.

    Notes
    -----
    Invariances: translation True, isotropic scaling False, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(hsic_linear(X, X[:, :1])), 6)
    0.361111
    """
    func = "hsic_linear"
    Xt, Yt = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xt), _centre(Yt)
    # Rescale by detached constants (HSIC is quadratic in each kernel) so the fourth powers stay in range.
    sx, sy = _scale(Xc), _scale(Yc)
    Xn, Yn = Xc / sx[..., None, None], Yc / sy[..., None, None]
    n, p, q = Xt.shape[-2], Xt.shape[-1], Yt.shape[-1]
    if _use_features(n, p, q):
        tr = _frob2(Xn.mT @ Yn)
    else:
        tr = ((Xn @ Xn.mT) * (Yn @ Yn.mT)).sum(dim=(-2, -1))
    return (sx * sx) * (sy * sy) * tr / (n - 1) ** 2


def hsic_linear_unbiased(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Unbiased linear HSIC (Song et al. 2012) over a batch.

    See :func:`metrics.kernel.hsic_linear_unbiased`:
    ``<U(K), U(L)>_F / (n (n - 3))``, from feature products when ``p < n``
    and ``q < n`` (no n x n matrix), from U-centred Gram matrices otherwise.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s), ``n >= 4``.
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.

    Returns
    -------
    torch.Tensor, shape (...)
        Unbiased HSIC in (-inf, inf), same dtype and device; differentiable.

    Raises
    ------
    ValueError, TypeError
        As for :func:`hsic_linear`.
    DegenerateInputError
        If ``n < 4``.

    Notes
    -----
    Invariances: translation True, isotropic scaling False, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(hsic_linear_unbiased(X, X[:, :1])), 6)
    0.266667
    """
    func = "hsic_linear_unbiased"
    Xt, Yt = _validate_pair(func, X, Y)
    _require_unbiased_rows(func, Xt, Yt)
    Xc, Yc = _centre(Xt), _centre(Yt)
    sx, sy = _scale(Xc), _scale(Yc)
    Xn, Yn = Xc / sx[..., None, None], Yc / sy[..., None, None]
    n, p, q = Xt.shape[-2], Xt.shape[-1], Yt.shape[-1]
    if _use_features(n, p, q):
        value = _hsic1_features(Xn, Yn)
    else:
        value = (_u_centre(Xn @ Xn.mT) * _u_centre(Yn @ Yn.mT)).sum(dim=(-2, -1))
    return (sx * sx) * (sy * sy) * value / (n * (n - 3))


# --------------------------------------------------------------------------- CKA variants


def cka_debiased(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Debiased linear CKA over a batch (see :func:`metrics.kernel.cka_debiased`).

    ``<U(K), U(L)>_F / (||U(K)||_F ||U(L)||_F)`` with linear kernels, from
    feature products when ``p < n`` and ``q < n`` (O(n (p q + p^2 + q^2)), no
    n x n matrix), from U-centred Gram matrices otherwise.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s), ``n >= 4``.
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [-1, 1] (clipped), same dtype and device; differentiable.
        Negative values are returned as they are.

    Raises
    ------
    ValueError, TypeError
        As for :func:`hsic_linear`.
    DegenerateInputError
        If ``n < 4``, if some batch element of ``X`` or ``Y`` is constant, or
        has ``||U(K)||_F^2 <= 8 n eps ||H K H||_F^2`` (eps of the dtype).

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(cka_debiased(X, X @ torch.diag(torch.tensor([10.0, 1.0], dtype=torch.float64)))), 6)
    0.594809
    """
    func = "cka_debiased"
    Xt, Yt = _validate_pair(func, X, Y)
    _require_unbiased_rows(func, Xt, Yt)
    Xc, Yc = _centre(Xt), _centre(Yt)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    Xn, Yn = _unit_frobenius(Xc), _unit_frobenius(Yc)
    n, p, q = Xt.shape[-2], Xt.shape[-1], Yt.shape[-1]
    if _use_features(n, p, q):
        terms = _debiased_from_features(Xn, Yn)
    else:
        terms = _debiased_from_gram(Xn @ Xn.mT, Yn @ Yn.mT)
    return _debiased_ratio(func, terms, n)


def cka_minibatch(
    X: torch.Tensor, Y: torch.Tensor, /, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> torch.Tensor:
    r"""Minibatch linear CKA (Nguyen et al. 2021) over a batch of representation pairs.

    See :func:`metrics.kernel.cka_minibatch`: consecutive row batches of
    ``batch_size`` (a remainder of fewer than 4 rows joins the last full
    batch), unbiased HSIC terms averaged over batches with equal weights,
    then the ratio. Memory beyond the inputs is constant in ``n``.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s), ``n >= 4``.
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    batch_size : int, default 256
        Rows per minibatch, at least 4.

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [-1, 1] (clipped), same dtype and device; differentiable.

    Raises
    ------
    ValueError, TypeError
        As for :func:`hsic_linear`; TypeError if ``batch_size`` is not an integer.
    DegenerateInputError
        As for :func:`cka_debiased`, on the summed self terms.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0],
    ...                   [2.0, 2.0], [3.0, 0.0], [0.0, 2.0], [3.0, 3.0]], dtype=torch.float64)
    >>> round(float(cka_minibatch(X, X * torch.tensor([10.0, 1.0], dtype=torch.float64), batch_size=5)), 6)
    0.822969
    """
    func = "cka_minibatch"
    Xt, Yt = _validate_pair(func, X, Y)
    b = check_positive_int(func, "batch_size", batch_size, minimum=MIN_ROWS_UNBIASED)
    _require_unbiased_rows(func, Xt, Yt)
    Xc, Yc = _centre(Xt), _centre(Yt)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    Xs, Ys = _unit_frobenius(Xc), _unit_frobenius(Yc)
    p, q = Xt.shape[-1], Yt.shape[-1]
    bounds = _batch_bounds(Xt.shape[-2], b)
    total = [Xs.new_zeros(()) for _ in range(5)]  # cross, self X, self Y, scale X, scale Y
    for start, stop in bounds:
        Xb, Yb = _centre(Xs[..., start:stop, :]), _centre(Ys[..., start:stop, :])
        m = stop - start
        if _use_features(m, p, q):
            terms = _debiased_from_features(Xb, Yb)
        else:
            terms = _debiased_from_gram(Xb @ Xb.mT, Yb @ Yb.mT)
        total = [acc + t / (m * (m - 3)) for acc, t in zip(total, terms, strict=True)]
    largest = max(stop - start for start, stop in bounds)
    return _debiased_ratio(func, (total[0], total[1], total[2], total[3], total[4]), largest)


def cka_rbf(
    X: torch.Tensor,
    Y: torch.Tensor,
    /,
    *,
    fraction: float = 1.0,
    median: Median = "offdiag",
    debiased: bool = False,
) -> torch.Tensor:
    r"""RBF CKA with a median-distance bandwidth over a batch (see :func:`metrics.kernel.cka_rbf`).

    ``K_ij = exp(-||x_i - x_j||^2 / (2 sigma^2))`` with ``sigma^2 = fraction^2 *
    median`` of the squared distances (over the distinct pairs,
    ``median="offdiag"``, or all ``n^2`` entries, ``median="all"``; the two
    middle values of an even count are averaged, as in numpy), then the
    centred (or, with ``debiased=True``, U-centred) cosine. O(n^2 (p + q))
    time, O(n^2) memory per batch element.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    fraction : float, default 1.0
        Bandwidth as a multiple of the median distance; > 0.
    median : {"offdiag", "all"}, default "offdiag"
        Which squared distances the median runs over.
    debiased : bool, default False
        Use the unbiased HSIC estimator (needs ``n >= 4``).

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1] (``[-1, 1]`` when debiased), clipped; same dtype and
        device; differentiable (the median is a selected entry).

    Raises
    ------
    ValueError, TypeError
        As for :func:`hsic_linear`; also a non-positive ``fraction`` or an
        unknown ``median``.
    DegenerateInputError
        Constant input, zero median squared distance, or (debiased) the
        conditions of :func:`cka_debiased`.

    Notes
    -----
    Invariances: translation True, isotropic scaling True (the bandwidth
    follows the median), orthogonal True, invertible linear False, feature
    permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(cka_rbf(X, X * torch.tensor([10.0, 1.0], dtype=torch.float64))), 6)
    0.640717
    """
    func = "cka_rbf"
    Xt, Yt = _validate_pair(func, X, Y)
    frac = check_range(func, "fraction", fraction, low=0.0, high=float("inf"), low_open=True)
    med = _check_median(func, median)
    if debiased:
        _require_unbiased_rows(func, Xt, Yt)
    _require_nonconstant(func, "X", _centre(Xt))
    _require_nonconstant(func, "Y", _centre(Yt))
    K = _rbf_kernel(func, "X", Xt, frac, med)
    L = _rbf_kernel(func, "Y", Yt, frac, med)
    if debiased:
        return _debiased_ratio(func, _debiased_from_gram(K, L), Xt.shape[-2])
    Kc, Lc = _double_centre(K), _double_centre(L)
    cosine = (Kc * Lc).sum(dim=(-2, -1)) / (torch.linalg.matrix_norm(Kc) * torch.linalg.matrix_norm(Lc))
    return cosine.clamp(0.0, 1.0)


def cka_angular(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Angular linear CKA ``arccos(CKA)`` over a batch (see :func:`metrics.kernel.cka_angular`).

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.

    Returns
    -------
    torch.Tensor, shape (...)
        Distances in [0, pi/2], same dtype and device. CKA is clipped to
        [0, 1] before ``arccos`` (rounding can put it above 1, giving NaN);
        near 0 the result is accurate to about ``sqrt(eps)``: ~1e-8 in
        float64, ~3e-4 in float32. Differentiable where ``d > 0``; at
        ``d = 0`` the derivative of ``arccos`` is infinite.

    Raises
    ------
    ValueError, TypeError
        As for :func:`hsic_linear`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has every column constant.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True. A metric (triangle
    inequality: the angle between rays).

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(cka_angular(X, X * torch.tensor([10.0, 1.0], dtype=torch.float64))), 6)
    1.060793
    """
    func = "cka_angular"
    Xt, Yt = _validate_pair(func, X, Y)
    Xc, Yc = _centre(Xt), _centre(Yt)
    _require_nonconstant(func, "X", Xc)
    _require_nonconstant(func, "Y", Yc)
    Xn, Yn = _unit_frobenius(Xc), _unit_frobenius(Yc)
    n, p, q = Xt.shape[-2], Xt.shape[-1], Yt.shape[-1]
    cka = _cka_features(Xn, Yn) if _use_features(n, p, q) else _cka_gram(Xn, Yn)
    return torch.arccos(cka.clamp(0.0, 1.0))


# --------------------------------------------------------------------------- alignment and distances


def kernel_alignment(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Uncentred linear kernel alignment over a batch (see :func:`metrics.kernel.kernel_alignment`).

    ``||X^T Y||_F^2 / (||X^T X||_F ||Y^T Y||_F)`` on the raw inputs.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1] (clipped), same dtype and device; differentiable.

    Raises
    ------
    ValueError, TypeError
        As for :func:`hsic_linear`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` is the zero matrix.

    Notes
    -----
    Invariances: translation False, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(kernel_alignment(X, X + 1.0)), 6)
    0.902907
    """
    func = "kernel_alignment"
    Xt, Yt = _validate_pair(func, X, Y)
    for name, A in (("X", Xt), ("Y", Yt)):
        zero = (A == 0).flatten(-2).all(dim=-1)
        if bool(zero.any()):
            count = f"; {int(zero.sum())} such matrices in the batch" if zero.ndim > 0 else ""
            fail(
                func,
                f"{name} must not be the zero matrix (its kernel would be zero, and the alignment 0/0)",
                f"{name}{_first_index(zero)} == 0 ({name}.shape={tuple(A.shape)}{count})",
                error=DegenerateInputError,
            )
    Xn, Yn = _unit_frobenius(Xt), _unit_frobenius(Yt)
    n, p, q = Xt.shape[-2], Xt.shape[-1], Yt.shape[-1]
    value = _cka_features(Xn, Yn) if _use_features(n, p, q) else _cka_gram(Xn, Yn)
    return value.clamp(0.0, 1.0)


def distance_correlation(X: torch.Tensor, Y: torch.Tensor, /, *, exponent: float = 1.0) -> torch.Tensor:
    r"""Distance correlation (biased V-statistic) over a batch.

    See :func:`metrics.kernel.distance_correlation`: ``sqrt`` of the cosine
    between the double-centred ``D^exponent`` of ``X`` and of ``Y``.
    O(n^2 (p + q)) time, O(n^2) memory.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    exponent : float, default 1.0
        Power of the distances, in (0, 2].

    Returns
    -------
    torch.Tensor, shape (...)
        dCor in [0, 1], same dtype and device. ``dCor^2`` is clipped at 0
        before the square root. Differentiable where ``dCor > 0``.

    Raises
    ------
    ValueError, TypeError
        As for :func:`hsic_linear`; also ``exponent`` outside (0, 2].
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has all rows equal.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(distance_correlation(X, X[:, :1] ** 2)), 6)
    0.740678
    """
    return torch.sqrt(_distance_cosine("distance_correlation", X, Y, exponent))


def distance_alignment(X: torch.Tensor, Y: torch.Tensor, /, *, exponent: float = 1.0) -> torch.Tensor:
    r"""Distance alignment (centred cosine of distance matrices, ``= dCor^2``) over a batch.

    See :func:`metrics.kernel.distance_alignment`.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    exponent : float, default 1.0
        Power of the distances, in (0, 2].

    Returns
    -------
    torch.Tensor, shape (...)
        Scores in [0, 1] (clipped), same dtype and device; differentiable.

    Raises
    ------
    ValueError, TypeError
        As for :func:`distance_correlation`.
    DegenerateInputError
        If some batch element of ``X`` or ``Y`` has all rows equal.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal True,
    invertible linear False, feature permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    >>> round(float(distance_alignment(X, X[:, :1] ** 2)), 6)
    0.548604
    """
    return _distance_cosine("distance_alignment", X, Y, exponent)
