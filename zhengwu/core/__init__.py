"""core: what every app stands on — the clock, domain errors, the audit trail, middleware.

core imports no other zhengwu app (checked by import-linter).
"""
