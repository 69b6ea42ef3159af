"""``python -m services.serving``: run the serving service until SIGTERM."""

from services.catalog import run

raise SystemExit(run("serving"))
