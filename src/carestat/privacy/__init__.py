"""Privacy: suppression and rounding where figures leave the system; pseudonymisation on load."""

from typing import Any

from carestat.privacy.pseudonymise import POLICIES, apply_policy, pseudonym_key, pseudonymise

__all__ = [
    "POLICIES",
    "SYMBOLS",
    "apply_policy",
    "pseudonym_key",
    "pseudonymise",
    "publish",
    "suppression_summary",
]
_SUPPRESS = ("SYMBOLS", "publish", "suppression_summary")


def __getattr__(name: str) -> Any:
    """Suppression on first use: it needs pandas, which opening a store (this package) does not."""
    if name in _SUPPRESS:
        from carestat.privacy import suppress

        return getattr(suppress, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
