"""Speed, scaling and regression benchmarks, each reported against a floor measured in the same run."""
