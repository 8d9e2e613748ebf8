"""Parity with the reference validator: compare flagged (rule, table, row) triples."""

from carestat.parity.compare import Agreement, RuleAgreement, compare_triples, load_reference_json

__all__ = ["Agreement", "RuleAgreement", "compare_triples", "load_reference_json"]
