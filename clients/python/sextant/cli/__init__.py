"""The ``sextant`` command line."""
