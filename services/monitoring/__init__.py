"""Monitoring: drift, data quality and performance per window; alerts routed to owners."""
