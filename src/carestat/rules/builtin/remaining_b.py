"""Remaining cross-table rules (adoption decisions, missing, care leavers, social workers)."""
