"""Rules of the prev_perm theme."""
