"""Rules of the dolo theme."""
