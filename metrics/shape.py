"""Generalized shape metrics (Williams et al. 2021), float64 numpy reference.

Partial whitening with a parameter ``alpha`` in [0, 1] interpolates between
the CCA angle (``alpha = 0``: full whitening, invariant to every invertible
linear map) and the Procrustes angle (``alpha = 1``: no whitening, invariant
to orthogonal maps only). Both the angular form (a metric on the sphere) and
the Euclidean form are given; the batched torch versions live in
:mod:`metrics.torch_shape`.

The construction, for each input separately
--------------------------------------------
1. Centre the columns (constant columns become exactly zero) and, by
   default, scale to unit Frobenius norm (``normalize=True``).
2. Take the SVD ``Xs = U diag(s) V^T`` and keep the ``r`` singular values
   above the rank tolerance ``max(n, p) * eps * s_max``.
3. Partially whiten: netrep's whitening matrix
   ``Z = V diag(alpha + (1 - alpha) / s) V^T`` gives
   ``Xs Z = U diag(g) V^T`` with ``g = alpha * s + (1 - alpha)``; rescale it
   to the Frobenius norm of ``Xs`` (netrep's ``preserve_variance``).
4. Only ``U diag(g)`` matters: for the optimal orthogonal alignment of two
   whitened matrices padded with zero columns to a common width (netrep's
   ``zero_pad``), ``max_Q <Xw Q, Yw> = ||Xw^T Yw||_* = ||diag(g_x) U_x^T U_y
   diag(g_y)||_*``, independent of the padding. Cost
   O(n p min(n, p) + n q min(n, q) + n r_x r_y); no n x n matrix when
   ``p, q < n``.

Then ``cos(theta) = ||Wx^T Wy||_* / (||Wx||_F ||Wy||_F)`` with ``W = U diag(g)``,
the angular distance is ``theta`` and the Euclidean distance is
``sqrt(a^2 + b^2 - 2 a b cos(theta))``, with ``a``, ``b`` the Frobenius norms
of the whitened inputs (1 when normalised).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from metrics._validation import check_range, fail
from metrics.cca import _centred_pair, _warn_if_saturated

__all__ = [
    "shape_angular_a0",
    "shape_angular_a05",
    "shape_angular_a1",
    "shape_angular_distance",
    "shape_euclidean_a05",
    "shape_euclidean_a1",
    "shape_euclidean_distance",
]

Matrix = NDArray[np.float64]


# --------------------------------------------------------------------------- helpers


def _check_options(func: str, alpha: object, normalize: object) -> float:
    if not isinstance(normalize, (bool, np.bool_)):
        fail(func, "normalize must be True or False", f"normalize={normalize!r} ({type(normalize).__name__})", error=TypeError)
    return check_range(func, "alpha", alpha, low=0.0, high=1.0)


def _whitened_coordinates(Ac: Matrix, alpha: float, normalize: bool) -> tuple[Matrix, float]:
    """``(U_r diag(g) / ||g||, size)``: the partially whitened shape of a centred matrix, and its size.

    The first output has unit Frobenius norm and ``r = rank`` columns; the
    whitened matrix itself is ``size`` times it, times ``V_r^T`` on the right
    (which no measure here sees). ``size`` is 1 when normalised, else
    ``||Ac||_F`` (the whitening preserves the total variance).
    """
    size = float(np.linalg.norm(Ac))
    As = Ac / size if normalize else Ac
    U, s, _ = np.linalg.svd(As, full_matrices=False)
    r = int(np.sum(s > max(As.shape) * np.finfo(np.float64).eps * s[0]))
    g = alpha * s[:r] + (1.0 - alpha)  # the singular values of As @ Z (netrep's partial whitening)
    return U[:, :r] * (g / np.linalg.norm(g)), (1.0 if normalize else size)


def _shape_cosine(func: str, X: object, Y: object, alpha: float, normalize: bool) -> tuple[float, float, float]:
    """``cos(theta)`` clipped to [0, 1], and the sizes of the two whitened inputs."""
    Xc, Yc = _centred_pair(func, X, Y)
    Wx, a = _whitened_coordinates(Xc, alpha, normalize)
    Wy, b = _whitened_coordinates(Yc, alpha, normalize)
    if alpha == 0.0:  # full whitening is CCA, and saturates like it
        _warn_if_saturated(
            func,
            Wx.shape[1],
            Wy.shape[1],
            (Xc.shape, Yc.shape),
            fix="Reduce the features first, use more samples, or set alpha > 0.",
            stacklevel=6,
        )
    nuclear = float(np.linalg.svd(Wx.T @ Wy, compute_uv=False).sum())
    # Exact value in [0, 1] (nuclear norm <= product of Frobenius norms, both 1):
    # clip the few-ulp overshoot so that arccos and the square root stay defined.
    return min(max(nuclear, 0.0), 1.0), a, b


# --------------------------------------------------------------------------- measures


def shape_angular_distance(X: object, Y: object, /, *, alpha: float = 1.0, normalize: bool = True) -> float:
    r"""Angular generalized shape metric with partial whitening ``alpha`` (a distance).

    .. math::

        \theta_\alpha(X, Y) = \min_{Q \in O} \arccos
        \frac{\langle \phi_\alpha(X) Q, \phi_\alpha(Y) \rangle_F}
             {\lVert \phi_\alpha(X) \rVert_F \lVert \phi_\alpha(Y) \rVert_F}
        = \arccos \frac{\lVert \phi_\alpha(X)^\top \phi_\alpha(Y) \rVert_*}
                       {\lVert \phi_\alpha(X) \rVert_F \lVert \phi_\alpha(Y) \rVert_F},

    where :math:`\phi_\alpha(X) = X_s (\alpha I + (1 - \alpha) (X_s^\top X_s)^{-1/2})`
    is the partially whitened input (netrep's whitening, on the column space
    of :math:`X_s`), :math:`X_s` the column-centred ``X`` scaled to unit
    Frobenius norm, and the two are zero-padded to a common width. Cost
    O(n p min(n, p) + n q min(n, q) + n p q); no n x n matrix when ``p, q < n``.

    Special cases (exact identities, tested):

    * ``alpha = 1``: ``arccos(procrustes_similarity(X, Y))``, the Procrustes angle;
    * ``alpha = 0``: :math:`\arccos\bigl(\sum_i \rho_i / \sqrt{r_X r_Y}\bigr)`
      with :math:`\rho_i` the canonical correlations and ``r`` the ranks;
      when ``r_X = r_Y`` (e.g. ``p = q``, full rank) this is
      ``arccos(cca_mean_corr(X, Y))``, the CCA angle. When the ranks differ
      the zero-padding makes it larger than the CCA angle, which is what
      keeps it a metric (a 2-D subspace of a 5-D one is not at distance 0).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.
    alpha : float in [0, 1], default 1.0
        Partial whitening: 0 whitens fully (CCA), 1 not at all (Procrustes).
        The default is netrep's.
    normalize : bool, default True
        Scale each centred input to unit Frobenius norm before whitening.
        The partial whitening for ``0 < alpha < 1`` mixes the identity with
        the inverse square root of the covariance, so without it the result
        depends on the units of each input. ``False`` whitens the raw
        centred data as netrep does (covariance ``Xc^T Xc``) and reproduces
        netrep's values; it changes nothing at ``alpha`` = 0 or 1.

    Returns
    -------
    float
        :math:`\theta \in [0, \pi/2]`, a distance (0 = the whitened shapes
        coincide up to rotation). The cosine is clipped to [0, 1] before the
        arccos, because rounding can put it a few ulps above 1 for identical
        inputs; near 0 the result is accurate to about ``sqrt(eps) ~ 1e-8``.
        The cosine is a nuclear norm, never negative, hence the upper bound
        :math:`\pi/2` rather than netrep's nominal :math:`\pi`.

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        ``X`` and ``Y`` have different numbers of rows, or ``alpha`` is not
        in [0, 1].
    TypeError
        If an input is complex or not numeric, or ``normalize`` is not a bool.
    DegenerateInputError
        If every column of ``X`` (or ``Y``) is constant: there is no shape.

    Warns
    -----
    SaturationWarning
        At ``alpha = 0`` when ``rank(Xc) + rank(Yc) > n - 1`` (as for CCA).

    Notes
    -----
    Whitening gives directions of tiny variance full weight at ``alpha = 0``
    (and weight ``1 - alpha`` before normalisation otherwise): a direction
    just above the rank tolerance counts as much as any other, as in CCA.
    netrep instead floors the eigenvalues of ``Xc^T Xc`` at an absolute
    ``1e-7``; the two agree whenever no eigenvalue is that small.

    Invariances (default ``normalize=True``; for a map applied to ``X``
    alone; symmetric in X and Y):

    ========================================  ==============================
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  True for ``alpha = 0`` only
    feature permutation (``X P``)             True
    ========================================  ==============================

    At ``alpha = 0`` only the column space (``U_r``) survives the whitening.
    For ``alpha > 0`` a non-orthogonal ``A`` changes the singular values
    ``s`` and hence ``g``. With ``normalize=False`` isotropic scaling also
    fails for ``0 < alpha < 1``: ``g = alpha c s + (1 - alpha)`` is not
    proportional to ``alpha s + (1 - alpha)``.

    Metric axioms: nonnegative, ``theta(X, X) = 0``, symmetric, and the
    triangle inequality holds: ``theta`` is the angle between the orbits of
    the unit-norm points :math:`\phi_\alpha(X)` under the orthogonal group,
    which acts by isometries of the sphere (Williams et al. 2021).

    References
    ----------
    .. [1] A. H. Williams, E. Kunz, S. Kornblith, S. W. Linderman,
       "Generalized shape metrics on neural representations", NeurIPS 2021
       (and the netrep package, ``LinearMetric``).
    .. [2] D. G. Kendall, "Shape manifolds, Procrustean metrics, and complex
       projective spaces", Bull. London Math. Soc. 16 (1984).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> A = np.array([[10.0, 1.0], [0.0, 1.0]])  # invertible, not orthogonal
    >>> round(shape_angular_distance(X, X @ A, alpha=0.0), 6)  # CCA: blind to A
    0.0
    >>> round(shape_angular_distance(X, X @ A, alpha=0.5), 6), round(shape_angular_distance(X, X @ A), 6)
    (0.330062, 0.79031)
    """
    return _angular("shape_angular_distance", X, Y, alpha, normalize)


def _angular(func: str, X: object, Y: object, alpha: object, normalize: object) -> float:
    alpha = _check_options(func, alpha, normalize)
    cosine, _, _ = _shape_cosine(func, X, Y, alpha, bool(normalize))
    return float(np.arccos(cosine))


def shape_euclidean_distance(X: object, Y: object, /, *, alpha: float = 1.0, normalize: bool = True) -> float:
    r"""Euclidean generalized shape metric with partial whitening ``alpha`` (a distance).

    .. math::

        d_\alpha(X, Y) = \min_{Q \in O} \lVert \phi_\alpha(X) Q - \phi_\alpha(Y) \rVert_F
        = \sqrt{a^2 + b^2 - 2 \lVert \phi_\alpha(X)^\top \phi_\alpha(Y) \rVert_*},

    with :math:`\phi_\alpha` the partial whitening of
    :func:`shape_angular_distance` (zero-padded to a common width) and
    :math:`a, b` the Frobenius norms of the whitened inputs: 1 with
    ``normalize=True``, where :math:`d = \sqrt{2 - 2 \cos\theta} = 2 \sin(\theta/2)`
    is the chord of the angular distance; :math:`\lVert X_c \rVert_F` and
    :math:`\lVert Y_c \rVert_F` with ``normalize=False`` (netrep's
    ``score_method="euclidean"``, which preserves the total variance). Cost
    as for the angular form.

    At ``alpha = 1`` and ``normalize=True`` this equals
    :func:`metrics.representation.procrustes_distance` (Ding et al. 2021
    normalisation, square root taken).

    Parameters
    ----------
    X : array_like, shape (n, p)
        First representation, one row per stimulus.
    Y : array_like, shape (n, q)
        Second representation of the same ``n`` stimuli.
    alpha : float in [0, 1], default 1.0
        Partial whitening: 0 whitens fully (CCA), 1 not at all (Procrustes).
    normalize : bool, default True
        Scale each centred input to unit Frobenius norm first. ``False``
        keeps the units (netrep's convention), so the distance scales with
        the data.

    Returns
    -------
    float
        ``d`` in [0, sqrt(2)] with ``normalize=True`` (in [0, inf) otherwise),
        a distance. ``d^2`` is clipped at 0 before the square root because
        rounding can make it slightly negative for nearly identical inputs;
        near 0 the result is accurate to about ``sqrt(eps) ~ 1e-8`` (relative
        to ``a`` and ``b``).

    Raises
    ------
    ValueError
        If an input is not 2-D, has fewer than 2 rows, contains NaN or inf,
        ``X`` and ``Y`` have different numbers of rows, or ``alpha`` is not
        in [0, 1].
    TypeError
        If an input is complex or not numeric, or ``normalize`` is not a bool.
    DegenerateInputError
        If every column of ``X`` (or ``Y``) is constant.

    Warns
    -----
    SaturationWarning
        At ``alpha = 0`` when ``rank(Xc) + rank(Yc) > n - 1``.

    Notes
    -----
    netrep's ``preserve_variance`` computes the whitened variance from
    eigenvalues floored at ``1e-7``, so for zero-padded inputs (``p != q``)
    and ``alpha < 1`` its whitened norm falls short of ``||Xc||_F`` and its
    ``normalize=False`` value differs from this one; here the whitened matrix
    is rescaled to exactly ``||Xc||_F``.

    Invariances (default ``normalize=True``; for a map applied to ``X``
    alone; symmetric in X and Y):

    ========================================  ==============================
    translation (``X + 1 b^T``)               True
    isotropic scaling (``c X``, ``c != 0``)   True
    orthogonal (``X Q``, ``Q^T Q = I``)        True
    invertible linear (``X A``, ``A`` p x p)  True for ``alpha = 0`` only
    feature permutation (``X P``)             True
    ========================================  ==============================

    With ``normalize=False`` isotropic scaling fails for every ``alpha``
    (the distance carries the size of the data), and so does every
    invertible map at ``alpha = 0`` that changes ``||Xc||_F``.

    Metric axioms: nonnegative, ``d(X, X) = 0``, symmetric, triangle
    inequality (a quotient of the Frobenius distance by orthogonal
    alignment, Williams et al. 2021).

    References
    ----------
    .. [1] A. H. Williams, E. Kunz, S. Kornblith, S. W. Linderman,
       "Generalized shape metrics on neural representations", NeurIPS 2021.
    .. [2] F. Ding, J.-S. Denain, J. Steinhardt, "Grounding representation
       similarity through statistical testing", NeurIPS 2021.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(shape_euclidean_distance(X, X @ np.diag([10.0, 1.0])), 6)  # = procrustes_distance
    0.771909
    >>> round(shape_euclidean_distance(X, X @ np.diag([10.0, 1.0]), alpha=0.5), 6)
    0.329234
    """
    return _euclidean("shape_euclidean_distance", X, Y, alpha, normalize)


def _euclidean(func: str, X: object, Y: object, alpha: object, normalize: object) -> float:
    alpha = _check_options(func, alpha, normalize)
    cosine, a, b = _shape_cosine(func, X, Y, alpha, bool(normalize))
    # law of cosines; rounding can make it slightly negative for nearly equal inputs
    squared = a * a + b * b - 2.0 * a * b * cosine
    return float(np.sqrt(max(squared, 0.0)))


# --------------------------------------------------------------------------- registry entries


def shape_angular_a0(X: object, Y: object, /) -> float:
    """``shape_angular_distance(X, Y, alpha=0.0)``: the CCA angle (registry entry ``shape_angular_a0``).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(shape_angular_a0(X, X @ np.diag([10.0, 1.0])), 6)
    0.0
    """
    return _angular("shape_angular_a0", X, Y, 0.0, True)


def shape_angular_a05(X: object, Y: object, /) -> float:
    """``shape_angular_distance(X, Y, alpha=0.5)`` (registry entry ``shape_angular_a05``).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(shape_angular_a05(X, X @ np.diag([10.0, 1.0])), 6)
    0.33074
    """
    return _angular("shape_angular_a05", X, Y, 0.5, True)


def shape_angular_a1(X: object, Y: object, /) -> float:
    """``shape_angular_distance(X, Y, alpha=1.0)``: the Procrustes angle (registry entry ``shape_angular_a1``).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(shape_angular_a1(X, X @ np.diag([10.0, 1.0])), 6)
    0.792485
    """
    return _angular("shape_angular_a1", X, Y, 1.0, True)


def shape_euclidean_a05(X: object, Y: object, /) -> float:
    """``shape_euclidean_distance(X, Y, alpha=0.5)`` (registry entry ``shape_euclidean_a05``).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(shape_euclidean_a05(X, X @ np.diag([10.0, 1.0])), 6)
    0.329234
    """
    return _euclidean("shape_euclidean_a05", X, Y, 0.5, True)


def shape_euclidean_a1(X: object, Y: object, /) -> float:
    """``shape_euclidean_distance(X, Y, alpha=1.0)``: the normalised Procrustes distance (registry ``shape_euclidean_a1``).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [1.0, 3.0]])
    >>> round(shape_euclidean_a1(X, X @ np.diag([10.0, 1.0])), 6)
    0.771909
    """
    return _euclidean("shape_euclidean_a1", X, Y, 1.0, True)
