"""Prediction logs and outcomes in: decoding, validation, idempotent storage, window assignment."""
