"""``python -m services.policy``: run the policy service until SIGTERM."""

from services.catalog import run

raise SystemExit(run("policy"))
