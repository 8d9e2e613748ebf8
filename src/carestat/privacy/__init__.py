"""Privacy: suppression and rounding where figures leave the system; pseudonymisation on load."""

from carestat.privacy.pseudonymise import POLICIES, apply_policy, pseudonym_key, pseudonymise
from carestat.privacy.suppress import SYMBOLS, publish, suppression_summary

__all__ = [
    "POLICIES",
    "SYMBOLS",
    "apply_policy",
    "pseudonym_key",
    "pseudonymise",
    "publish",
    "suppression_summary",
]
