"""Offline store: Parquet history per feature view version and the point-in-time join engines."""
