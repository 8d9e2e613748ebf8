"""carestat: England's children-in-care (SSDA903) returns as evidence anyone can check."""

__version__ = "0.1.0"
