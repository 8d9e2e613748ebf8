"""Readers: CSV tables and the DfE XML into one typed `Return`."""

from carestat.readers.read import read_return

__all__ = ["read_return"]
