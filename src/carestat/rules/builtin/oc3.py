"""Rules of the oc3 theme."""
