"""The lending demo behind ``sextant demo``: a seeded synthetic credit data set (``data``) and the
scenario (``scenario.run``) that walks one model through the six services."""
