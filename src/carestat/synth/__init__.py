"""Synthetic SSDA903 returns: simulated journeys through care, planted faults and effects."""

from carestat.synth.generate import Synthetic, generate, write

__all__ = ["Synthetic", "generate", "write"]
