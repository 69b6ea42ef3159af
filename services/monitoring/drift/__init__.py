"""Drift of a window's columns against the reference, computed from summaries only."""
