"""Rules of the episodes theme."""
