"""Deterministic constructions with known answers for the similarity measures."""

from constructions.builders import KL_VANISHING_SIGMA, ModelPairConstruction, identifiability, kl_vanishing

__all__ = ["KL_VANISHING_SIGMA", "ModelPairConstruction", "identifiability", "kl_vanishing"]
