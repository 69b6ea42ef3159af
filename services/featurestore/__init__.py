"""Feature store: entities, versioned feature views, offline and online feature data."""
