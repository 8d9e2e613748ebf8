"""Rules of the social_worker theme."""
