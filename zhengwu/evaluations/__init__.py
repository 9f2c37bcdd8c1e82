"""好差评: ratings of service events and the rectification of 差评 (issue 12 §6, ADR 0019)."""
