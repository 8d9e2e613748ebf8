"""Rules of the uasc theme."""
