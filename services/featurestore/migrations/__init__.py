"""Alembic version files of the featurestore service."""
