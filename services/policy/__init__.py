"""Policy: policy-as-code, Regulation B enforcement, proxy detection, fairness gates, decisions."""
