"""Plain-English sentences generated from findings: the estimate, its interval, whether the
interval excludes the null, the data coverage and one limit. Never written by hand per finding."""

from __future__ import annotations

import math
import re

import numpy as np

from carestat.evidence.result import Finding

STEP_EFFECT = re.compile(r"step change in (?P<council>\S+) from (?P<since>\d{4})")  # step_change


def describe(finding: Finding) -> str:
    """One or two sentences stating a finding, its uncertainty and a limit of the data."""
    step = STEP_EFFECT.fullmatch(finding.effect)
    if step:
        parts = [_step_sentence(finding, step["council"], int(step["since"]))]
    else:
        parts = [f"{_headline(finding)} ({_interval(finding)}), {_coverage(finding)}."]
    verdict = _verdict(finding)
    if verdict:
        parts.append(verdict)
    if finding.limits:
        parts.append(f"A limit: {finding.limits[0]}.")
    return " ".join(parts)


def _headline(f: Finding) -> str:
    """The estimate in words."""
    subject = _capital(f.measure)
    if f.scale == "share":
        return f"{subject}: {_value(f, f.estimate)}"
    if f.scale == "ratio":
        return f"{subject}: {f.effect} {_value(f, f.estimate)}"
    if f.effect == "change per year":
        verb = "rose" if f.estimate > 0 else "fell" if f.estimate < 0 else "did not change"
        size = f" by {_value(f, abs(f.estimate))} a year" if f.estimate != 0 else ""
        return f"{subject} {verb}{size}"
    return f"{subject}: {f.effect} {_signed(f.estimate)}"


def _step_sentence(f: Finding, council: str, since: int) -> str:
    """A council's step-change ratio: how its rate from `since` compares with the prediction."""
    years = f"in {since}" if since == f.last_year else f"from {since} to {f.last_year}"
    return (
        f"In {council}, {f.measure} {years} were {_value(f, f.estimate)} times what the council's "
        f"own earlier rate and the other councils' change predict ({_interval(f)}), "
        f"{_coverage(f)}."
    )


def _verdict(f: Finding) -> str:
    """Whether the interval rules out the null value, with the test."""
    if math.isnan(f.null):
        return ""
    null = "no change" if f.scale == "percent" else "no difference"
    p = f", {_p(f.p_value)}" if f.p_value is not None else ""
    if f.excludes_null:
        return f"The interval excludes {null}, so chance alone is an unlikely explanation ({f.test}{p})."
    return f"The interval includes {null}, so the data are consistent with none ({f.test}{p})."


def _interval(f: Finding) -> str:
    """'95% CI a to b' with the finding's units."""
    return f"{f.level * 100:g}% CI {_value(f, f.lower)} to {_value(f, f.upper)}"


def _coverage(f: Finding) -> str:
    """How many councils and which years the estimate rests on."""
    councils = f"{f.n_councils} council" + ("" if f.n_councils == 1 else "s")
    if f.first_year is None:
        return f"from {councils}"
    years = str(f.first_year) if f.first_year == f.last_year else f"{f.first_year} to {f.last_year}"
    return f"from {councils}, {years}"


def _value(f: Finding, x: float) -> str:
    """A number in the finding's units: whole percent for shares, 1 dp percent, 2 dp ratios."""
    if math.isnan(x):
        return "not estimable"
    if f.scale == "share":
        return f"{x * 100:.0f}%"
    if f.scale == "ratio":
        return "infinity" if math.isinf(x) else f"{x:.2f}"
    return f"{x:.1f}%"


def _signed(x: float) -> str:
    """Percent with an explicit sign."""
    return f"{x:+.1f}%"


def _p(p: float | None) -> str:
    """p-value in the usual style."""
    if p is None or math.isnan(p):
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _capital(text: str) -> str:
    """First letter upper case, the rest untouched (codes like 'C1' keep their case)."""
    return text[:1].upper() + text[1:]


def describe_funnel(
    measure: str, units: int, high: list[str], low: list[str], level: str,
    overdispersed: bool = True,
) -> str:  # fmt: skip
    """Which councils lie outside a funnel plot's limits, in words generated from the lists.

    `overdispersed` says whether the limits were widened for overdispersion (else they are exact
    Poisson limits: the councils varied no more than chance allows).
    """
    basis = (
        "after allowing for overdispersion"
        if overdispersed
        else "with exact Poisson limits (the councils vary no more than chance alone would give)"
    )
    if not high and not low:
        return f"{_capital(measure)}: all {units} councils lie within the {level} limits, {basis}."
    parts = []
    if high:
        parts.append(f"{_count(len(high))} above ({', '.join(high)})")
    if low:
        parts.append(f"{_count(len(low))} below ({', '.join(low)})")
    return (
        f"{_capital(measure)}: of {units} councils, {' and '.join(parts)} the {level} limits, "
        f"{basis}; being outside is a signal to look at, not proof of different practice."
    )


def describe_share_by_group(measure: str, shares: dict[str, float], total: int) -> str:
    """The largest shares of a breakdown in words (e.g. babies' routes into care)."""
    if total == 0:
        return f"{_capital(measure)}: no cases in the data."
    ordered = sorted(shares.items(), key=lambda kv: -kv[1])
    words = ", ".join(f"{name} {share * 100:.0f}%" for name, share in ordered)
    return f"{_capital(measure)} (about {_round_ten(total)} cases): {words}."


def _count(n: int) -> str:
    """'1 council' or 'n councils'."""
    return f"{n} council" + ("" if n == 1 else "s")


def _round_ten(n: int) -> str:
    """A count rounded to the nearest 10, as national figures are published."""
    return f"{int(np.floor(n / 10 + 0.5) * 10):,}" if n >= 10 else "fewer than 10"
