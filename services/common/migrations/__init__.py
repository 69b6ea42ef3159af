"""Alembic migrations shared by every service (the ``common`` branch)."""
