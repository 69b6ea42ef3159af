"""Online store: the latest row per entity per feature view, behind one interface per backend."""
