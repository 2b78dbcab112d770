"""The retraining harness for the paper's empirical claims (issue 6: in progress)."""
