"""Sextant's Python package: generated contract stubs (``sextant.<api>.v1``), channels and the CLI."""

__version__ = "0.1.0"
