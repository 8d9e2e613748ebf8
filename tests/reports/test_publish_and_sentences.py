"""The privacy edge on evidence tables and sentences generated from numbers."""

from __future__ import annotations

import pandas as pd

from carestat.evidence.publish import published_counts, suppress_points
from carestat.evidence.sentences import describe_funnel, describe_share_by_group


def test_council_counts_suppressed_and_national_rounded() -> None:
    data = pd.DataFrame(
        {"la": ["A", "A", "B", "B"], "year": [2026] * 4, "route": ["x", "y", "x", "y"],
         "count": [3, 40, 17, 0]}
    )  # fmt: skip
    out = published_counts(data, "routes", breakdown="route")
    council = out[out["geographic_level"] == "Local authority"].set_index(["la", "category"])
    assert council.loc[("A", "x"), "value"] == "c"  # 3 is primary suppressed
    assert council.loc[("A", "y"), "value"] == "c"  # the lone other cell is secondary suppressed
    assert council.loc[("B", "x"), "value"] == "17" and council.loc[("B", "y"), "value"] == "0"
    national = out[out["geographic_level"] == "National"].set_index("category")
    assert national.loc["x", "value"] == "20" and national.loc["Total", "value"] == "60"
    assert "numerator" not in out.columns  # unrounded figures never leave


def test_rates_resting_on_small_counts_are_suppressed() -> None:
    data = pd.DataFrame({"la": ["A", "B"], "year": [2026, 2026], "count": [2, 50],
                         "population": [5000, 10000]})  # fmt: skip
    out = published_counts(data, "infant starts", population="population")
    rates = out[(out["kind"] == "rate") & (out["geographic_level"] == "Local authority")]
    assert rates.set_index("la")["value"].to_dict() == {"A": "c", "B": "50"}
    points = suppress_points(data)
    assert points["la"].tolist() == ["B"]


def test_funnel_sentence_names_the_outliers_from_the_lists() -> None:
    quiet = describe_funnel("starts per 10,000", 30, [], [], "99.8%")
    assert quiet.startswith("Starts per 10,000: all 30 councils lie within the 99.8% limits")
    loud = describe_funnel("starts per 10,000", 30, ["E1", "E2"], ["E3"], "99.8%")
    assert "2 councils above (E1, E2) and 1 council below (E3)" in loud
    assert "not proof" in loud
    assert "allowing for overdispersion" in loud
    plain = describe_funnel("adoptions per 10,000", 30, ["E1"], [], "99.8%", overdispersed=False)
    assert "exact Poisson limits" in plain and "overdispersion" not in plain


def test_share_sentence_orders_by_size_and_rounds_the_total() -> None:
    text = describe_share_by_group("routes", {"a": 0.25, "b": 0.75}, 1234)
    assert text == "Routes (about 1,230 cases): b 75%, a 25%."
    assert describe_share_by_group("routes", {}, 0) == "Routes: no cases in the data."


def test_log_axis_labels_are_plain_numbers_at_1_2_3_5():
    from carestat.reports.charts import _ratio_label

    labels = [_ratio_label(v, None) for v in (0.2, 0.3, 0.4, 0.5, 1.0, 2.0, 7.0, 10.0)]
    assert labels == ["0.2", "0.3", "", "0.5", "1", "2", "", "10"]
    assert _ratio_label(0.0, None) == ""
