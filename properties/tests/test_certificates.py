"""Tests of the exact sympy certificates, with a negative control for each kind."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from metrics.model_distances import kl_divergence
from metrics.models import SoftmaxModel
from properties import certificates as C


@pytest.mark.parametrize(
    "func",
    [
        C.cka_rotation_invariance,
        C.cka_scale_invariance,
        C.cka_stretch_non_invariance,
        C.procrustes_rotation_invariance,
        C.correlation_affine_invariance,
        C.kl_vanishing_exact_rate,
        C.identifiability_class_log_softmax,
    ],
)
def test_certificate_holds(func):
    cert = func()
    assert isinstance(cert, C.Certificate)
    assert cert.holds is True, cert.detail
    assert cert.name and cert.statement and cert.detail
    with pytest.raises(AttributeError):
        cert.holds = False  # type: ignore[misc]  # frozen


def test_all_certificates():
    certs = C.all_certificates()
    assert len(certs) == 7
    assert all(c.holds for c in certs), [c.name for c in certs if not c.holds]
    assert len({c.name for c in certs}) == len(certs)


# ---------------------------------------------------------------- negative controls


def test_negative_cka_stretch():
    a = sp.Symbol("a", positive=True)
    cert = C.check_cka_invariance(sp.diag(a, 1))
    assert cert.holds is False


def test_negative_cka_shear():
    t = sp.Symbol("t", real=True)
    assert C.check_cka_invariance(sp.Matrix([[1, t], [0, 1]])).holds is False


def test_positive_cka_reflection_generic_checker():
    # an orthogonal reflection is fine too: the checker is not biased toward False
    assert C.check_cka_invariance(sp.Matrix([[0, 1], [1, 0]])).holds is True


def test_negative_identifiability_wrong_g_transform():
    # G A^T instead of G A^{-1}: not in the identifiability class
    cert = C.check_identifiability(lambda G, A, c: G * A.T + sp.ones(G.shape[0], 1) * c.T)
    assert cert.holds is False


def test_negative_identifiability_label_dependent_shift():
    # a shift that differs between labels breaks it even with the right A^{-1}
    def g(G, A, c):
        shift = sp.Matrix([[c[0], c[1]], [0, 0], [0, 0]])
        return G * A.inv() + shift

    assert C.check_identifiability(g).holds is False


def test_negative_kl_wrong_rate():
    # half the exponent: KL e^{c rho}/rho -> 0 (not a positive constant)
    c = C.kl_rate_constant()
    assert C.check_kl_rate(c / 2).holds is False
    # too large an exponent: the ratio diverges
    assert C.check_kl_rate(2 * c).holds is False
    # the next gap, 2(1 - cos(4 pi/7)), is wrong as well
    assert C.check_kl_rate(2 * (1 - sp.cos(4 * sp.pi / 7))).holds is False
    assert C.check_kl_rate(c).holds is True


def test_negative_signed_correlation_under_reflection():
    a = sp.Symbol("a", positive=True)
    b = sp.Symbol("b", real=True)
    assert C.check_correlation_invariance(-a, b, signed=True).holds is False
    assert C.check_correlation_invariance(-a, b, signed=False).holds is True
    assert C.check_correlation_invariance(a, b, signed=True).holds is True


# ---------------------------------------------------------------- numeric cross-check of #3


def test_kl_rate_constant_value():
    c = C.kl_rate_constant()
    assert sp.simplify(c - 2 * (1 - sp.cos(2 * sp.pi / 7))) == 0
    assert abs(float(c) - 2 * (1 - math.cos(2 * math.pi / 7))) < 1e-15


def _jitter_free_pair(rho: float, per_label: int = 3) -> tuple[SoftmaxModel, SoftmaxModel]:
    """kl_vanishing's structure with delta = 0, r = 2 exactly."""
    K = 7
    theta = 2 * np.pi * np.arange(K) / K
    sigma = np.array([(2 * k + 5) % K for k in range(K)])

    def unit(t: np.ndarray) -> np.ndarray:
        return np.stack([np.cos(t), np.sin(t)], axis=-1)

    G_p = rho * unit(theta)
    G_q = rho * unit(theta[sigma])
    F_p = np.repeat(2.0 * unit(theta), per_label, axis=0)
    F_q = np.repeat(2.0 * unit(theta[sigma]), per_label, axis=0)
    return SoftmaxModel(F_p, G_p), SoftmaxModel(F_q, G_q)


@pytest.mark.parametrize("rho", [3, 10])
def test_kl_divergence_matches_exact_expression(rho):
    exact = sp.N(C.kl_vanishing_per_input(sp.Integer(rho)), 40)
    p, q = _jitter_free_pair(float(rho))
    got = kl_divergence(p, q)
    assert got == pytest.approx(float(exact), rel=1e-12, abs=0)


def test_exact_expression_asymptotics_numeric():
    # KL(rho) / (4 (cos(2pi/7) - cos(4pi/7)) rho e^{-c rho}) -> 1
    c = float(C.kl_rate_constant())
    C0 = 4 * (math.cos(2 * math.pi / 7) - math.cos(4 * math.pi / 7))
    ratios = [
        float(sp.N(C.kl_vanishing_per_input(sp.Integer(r)), 30)) / (C0 * r * math.exp(-c * r)) for r in (20, 40, 80)
    ]
    assert all(abs(x - 1) < 1e-2 for x in ratios[1:])
    assert abs(ratios[2] - 1) < abs(ratios[0] - 1)
