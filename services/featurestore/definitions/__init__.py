"""Definitions: entities, versioned feature views and feature services, their fingerprints and plans."""
