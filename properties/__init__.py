"""Reusable property checks, the audit engine and the property test suite (issue 4: in progress)."""
