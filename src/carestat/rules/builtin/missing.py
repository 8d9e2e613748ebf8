"""Rules of the missing theme."""
