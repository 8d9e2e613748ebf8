"""Rules of the reviews theme."""
