"""Training: policy-checked jobs, trials, ONNX export with a parity gate, registration."""
