"""Neuron-matching measures in torch: batched hard (permutation) and soft (optimal transport) matching.

The same measures, names, conventions and messages as the numpy reference
:mod:`metrics.matching`, over batches: ``X`` (..., n, p) and ``Y`` (..., n, q)
with broadcasting batch dimensions; each function returns a tensor of the
broadcast batch shape, in the input dtype and on the input device.

* The combinatorial step is not done in torch. For each batch element (a
  Python loop), the matrix that the optimisation reads (correlations, or
  squared distances between units) is copied to the CPU in float64 and solved
  exactly by the numpy reference's solvers: ``scipy.optimize.linear_sum_assignment``
  and :func:`metrics.matching.transport_plan`. The solver itself has no
  gradient.
* The value is then computed in torch, in the input dtype, at that fixed
  optimal pairing or plan, so it is differentiable almost everywhere: by
  Danskin's theorem the gradient of an optimum over a fixed feasible set is
  the gradient at the optimiser, wherever the optimiser is unique.
* Two optimal pairings of equal value may differ between numpy and torch
  (ties); the values agree to rounding either way.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

from metrics._validation import fail
from metrics.matching import _constant_unit_error, transport_plan
from metrics.torch_representation import _centre, _validate_pair

__all__ = ["permutation_corr", "soft_matching_distance"]


def _index(idx: torch.Tensor) -> str:
    return ", ".join(str(int(i)) for i in idx)


def _broadcast(X: torch.Tensor, Y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Size]:
    """Both inputs expanded to the common batch shape and flattened to (B, n, .)."""
    batch = torch.broadcast_shapes(X.shape[:-2], Y.shape[:-2])
    Xb = X.expand(*batch, *X.shape[-2:]).reshape(-1, *X.shape[-2:])
    Yb = Y.expand(*batch, *Y.shape[-2:]).reshape(-1, *Y.shape[-2:])
    return Xb, Yb, batch


def _unit_columns(func: str, name: str, A: torch.Tensor) -> torch.Tensor:
    """Centred columns scaled to unit norm (differentiable); a constant column anywhere raises."""
    Ac = _centre(A)
    norms = torch.linalg.vector_norm(Ac, dim=-2, keepdim=True)
    dead = norms[..., 0, :] == 0
    if bool(dead.any()):
        first = torch.nonzero(dead)[0]
        at = f"{name}[:, {int(first[-1])}]" if dead.ndim == 1 else f"{name}[{_index(first[:-1])}][:, {int(first[-1])}]"
        _constant_unit_error(func, name, at, int(dead.sum()), tuple(A.shape))
    return Ac / norms


def permutation_corr(X: torch.Tensor, Y: torch.Tensor, /) -> torch.Tensor:
    r"""Hard neuron matching over a batch (see :func:`metrics.matching.permutation_corr`).

    Mean Pearson correlation of the one-to-one pairing of ``min(p, q)``
    units that maximises it; the pairing is found by scipy on the CPU.

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
        Scores in [-1, 1], input dtype and device; differentiable at a unique
        optimal pairing (the pairing itself carries no gradient).

    Raises
    ------
    ValueError, TypeError
        Invalid shapes, dtypes or devices.
    DegenerateInputError
        A constant column in some batch element of ``X`` or ``Y``.

    Notes
    -----
    Invariances: translation True, isotropic scaling True, orthogonal False,
    invertible linear False, permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 1.0, 2.0], [1.0, 0.0, 2.0], [2.0, 2.0, 0.0], [3.0, 1.0, 1.0], [4.0, 3.0, 5.0]], dtype=torch.float64)
    >>> round(float(permutation_corr(X, 2.0 * X[:, [2, 0, 1]] + 7.0)), 12)
    1.0
    """
    func = "permutation_corr"
    Xt, Yt = _validate_pair(func, X, Y)
    Xn, Yn = _unit_columns(func, "X", Xt), _unit_columns(func, "Y", Yt)
    Xb, Yb, batch = _broadcast(Xn, Yn)
    C = (Xb.mT @ Yb).clamp(-1.0, 1.0)  # (B, p, q) correlations; rounding can overshoot +-1
    C64 = C.detach().to(device="cpu", dtype=torch.float64).numpy()
    pairs = [linear_sum_assignment(C64[b], maximize=True) for b in range(C64.shape[0])]
    rows = torch.as_tensor(np.stack([r for r, _ in pairs]), device=C.device)
    cols = torch.as_tensor(np.stack([c for _, c in pairs]), device=C.device)
    which = torch.arange(C.shape[0], device=C.device)[:, None]
    return C[which, rows, cols].mean(dim=-1).reshape(batch)


def soft_matching_distance(X: torch.Tensor, Y: torch.Tensor, /, *, centre: bool = True) -> torch.Tensor:
    r"""Soft matching distance over a batch (see :func:`metrics.matching.soft_matching_distance`).

    The 2-Wasserstein distance between the uniform distributions on the units
    (columns, centred by default) of ``X`` and ``Y``; the optimal plan is
    solved exactly on the CPU, the value is computed in torch at that plan.

    Parameters
    ----------
    X : torch.Tensor, shape (..., n, p)
        First representation(s).
    Y : torch.Tensor, shape (..., n, q)
        Second representation(s); batch dimensions broadcast against ``X``'s.
    centre : bool, default True
        Subtract each unit's mean response first.

    Returns
    -------
    torch.Tensor, shape (...)
        Distances >= 0, input dtype and device; differentiable at a unique
        optimal plan where ``d > 0`` (the square root has an infinite
        derivative at 0).

    Raises
    ------
    ValueError, TypeError
        Invalid shapes, dtypes, devices, or a non-bool ``centre``.
    RuntimeError
        If the LP solver fails.

    Notes
    -----
    Invariances (``centre=True``): translation True, isotropic scaling False,
    orthogonal False, invertible linear False, permutation True.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 1.0, 2.0], [1.0, 0.0, 2.0], [2.0, 2.0, 0.0], [3.0, 1.0, 1.0], [4.0, 3.0, 5.0]], dtype=torch.float64)
    >>> round(float(soft_matching_distance(X, X[:, :2])), 6)
    2.04939
    """
    func = "soft_matching_distance"
    Xt, Yt = _validate_pair(func, X, Y)
    if not isinstance(centre, bool):
        fail(func, "centre must be a bool", f"centre={centre!r} ({type(centre).__name__})", error=TypeError)
    if centre:
        Xt, Yt = _centre(Xt), _centre(Yt)
    Xb, Yb, batch = _broadcast(Xt, Yt)
    with torch.no_grad():  # the cost matrices the solver reads, from differences (exact 0 for equal units)
        costs = torch.cdist(
            Xb.mT.to(torch.float64), Yb.mT.to(torch.float64), compute_mode="donot_use_mm_for_euclid_dist"
        ).square().cpu().numpy()
    values = []
    for b in range(costs.shape[0]):
        rows_np, cols_np, weights_np = transport_plan(costs[b])
        rows = torch.as_tensor(rows_np, device=Xb.device)
        cols = torch.as_tensor(cols_np, device=Xb.device)
        weights = torch.as_tensor(weights_np, dtype=Xb.dtype, device=Xb.device)
        gaps = Xb[b].index_select(-1, rows) - Yb[b].index_select(-1, cols)  # (n, support)
        values.append(((gaps * gaps).sum(dim=0) * weights).sum())
    return torch.sqrt(torch.stack(values)).reshape(batch)
