"""``python -m services.featurestore``: run the featurestore service until SIGTERM."""

from services.catalog import run

raise SystemExit(run("featurestore"))
