"""Serving: low-latency ONNX inference over the Open Inference Protocol and Sextant Predict."""
