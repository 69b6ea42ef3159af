"""``python -m services.training``: run the training service until SIGTERM."""

from services.catalog import run

raise SystemExit(run("training"))
