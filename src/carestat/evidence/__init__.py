"""Evidence: statistical methods that test the disputed claims about children taken into care.

Each method takes a tidy pandas DataFrame of counts and denominators (council, year, group, count,
population) or of periods/spells of care, and returns a frozen result with the estimate, its
confidence interval, the test used and the data coverage; `sentences` turns results into words.
"""

from carestat.evidence.result import Finding

__all__ = ["Finding"]
