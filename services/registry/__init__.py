"""Model registry: versions, ONNX artifacts, aliases gated by policy, lineage, staleness."""
