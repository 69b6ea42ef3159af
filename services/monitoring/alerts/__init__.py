"""Alert rules, the alert lifecycle and routing to the team that owns the problem."""
