"""Alembic environment shared by every service: migrations run on the connection the service opened."""

from services.common.db import run_migrations_online

run_migrations_online()
