"""Sentences are generated from the numbers: feed numbers, check the words."""

from carestat.evidence.result import Finding
from carestat.evidence.sentences import describe


def finding(**changes) -> Finding:
    """A trend finding with fields overridable per test."""
    values = dict(
        measure="infant starts per 10,000 children aged 0",
        effect="change per year",
        estimate=4.83,
        lower=2.14,
        upper=7.61,
        scale="percent",
        null=0.0,
        test="Wald test",
        p_value=0.0004,
        n_councils=30,
        first_year=2019,
        last_year=2026,
        limits=("recording practice differs between councils",),
    )
    values.update(changes)
    return Finding(**values)


def test_a_rising_trend_that_excludes_no_change():
    text = describe(finding())
    assert text.startswith("Infant starts per 10,000 children aged 0 rose by 4.8% a year")
    assert "(95% CI 2.1% to 7.6%)" in text
    assert "from 30 councils, 2019 to 2026" in text
    assert "excludes no change" in text and "p < 0.001" in text
    assert text.endswith("A limit: recording practice differs between councils.")


def test_a_falling_estimate_whose_interval_includes_no_change():
    text = describe(finding(estimate=-1.25, lower=-3.9, upper=1.5, p_value=0.37))
    assert "fell by 1.2% a year" in text or "fell by 1.3% a year" in text
    assert "includes no change" in text and "p = 0.370" in text


def test_ratio_and_share_wording():
    ratio = finding(
        effect="relative rate index, BCRB vs WBRI",
        estimate=2.0,
        lower=1.29,
        upper=3.1,
        scale="ratio",
        null=1.0,
        n_councils=1,
        first_year=2025,
        last_year=2025,
    )
    text = describe(ratio)
    assert "relative rate index, BCRB vs WBRI 2.00 (95% CI 1.29 to 3.10)" in text
    assert "from 1 council, 2025." in text and "excludes no difference" in text
    share = finding(
        measure="first interim care orders lasting more than 26 weeks",
        effect="share",
        estimate=0.6667,
        lower=0.21,
        upper=0.94,
        scale="share",
        null=float("nan"),
        p_value=None,
    )
    text = describe(share)
    assert "more than 26 weeks: 67% (95% CI 21% to 94%)" in text and "chance" not in text
