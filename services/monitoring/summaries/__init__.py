"""Mergeable per-window column summaries: counts, nulls, aligned histograms, categories, sketches."""
