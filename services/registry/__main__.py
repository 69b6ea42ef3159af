"""``python -m services.registry``: run the registry service until SIGTERM."""

from services.catalog import run

raise SystemExit(run("registry"))
