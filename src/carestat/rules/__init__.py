"""Validation: DfE 903 rules, the engine that runs them, and the report they make."""
