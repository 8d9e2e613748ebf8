"""Rules of the adoption theme."""
