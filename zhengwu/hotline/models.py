"""12345 work orders and their routing tables (see the package docstring)."""
