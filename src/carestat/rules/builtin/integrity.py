"""Rules of the integrity theme."""
