"""Reference implementations of similarity measures and the measure registry.

Submodules (imported on demand; importing :mod:`metrics` does no work):

- :mod:`metrics.registry`: the frozen measure records (``get``, ``names``, ``specs``);
- :mod:`metrics.models`: the softmax model family and result records;
- :mod:`metrics.model_distances` / :mod:`metrics.torch_model_distances`: the paper's
  distances, float64 numpy reference and scalable torch version;
- :mod:`metrics.representation` / :mod:`metrics.torch_representation`: representation measures;
- :mod:`metrics._validation`: the one validation module and message template.
"""
