"""``python -m services.monitoring``: run the monitoring service until SIGTERM."""

from services.catalog import run

raise SystemExit(run("monitoring"))
