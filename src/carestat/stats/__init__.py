"""Official statistics: DfE children-looked-after measures computed from the records as Ibis expressions."""

from carestat.stats.periods import add_periods, age_days, age_years, looked_after_on
from carestat.stats.repair import repair_episodes

__all__ = ["add_periods", "age_days", "age_years", "looked_after_on", "repair_episodes"]
