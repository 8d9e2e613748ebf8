"""Rules of the oc2 theme."""
