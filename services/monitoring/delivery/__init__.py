"""Alert delivery beyond WatchAlerts: webhook sinks and Prometheus gauges."""
