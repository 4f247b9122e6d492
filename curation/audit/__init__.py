"""Audit of a dataset version: metrics (audit.json), an HTML report, human review of pairs."""
