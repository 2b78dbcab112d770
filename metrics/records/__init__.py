"""Registry records, one module per family of measures; :mod:`metrics.registry` concatenates them."""
