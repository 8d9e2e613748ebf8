"""Per-year parity: compared, not-implemented, excluded and refused returns counted apart."""

from __future__ import annotations

from carestat.parity.summary import ReturnResult, by_year, markdown, to_dict


def _report(*issues: tuple[str, str, int], skipped: tuple[str, ...] = ()) -> dict:
    return {"issues": [{"rule": r, "table": t, "row": n} for r, t, n in issues],
            "summary": {"rules_skipped": [{"rule": c, "reason": "x"} for c in skipped]}}  # fmt: skip


def _reference(*flags: tuple[str, str, int], raised: tuple[str, ...] = ()) -> dict:
    codes = ["101", "103", "141", "202", "999"]
    return {"codes": codes, "flagged": [list(f) for f in flags], "raised": list(raised)}


def test_rules_are_compared_only_when_both_run_them() -> None:
    ours = _report(("101", "Header", 0), ("103", "Header", 1), ("141", "Episodes", 2),
                   ("141", "Episodes", 3), skipped=("202",))  # fmt: skip
    theirs = _reference(("101", "Header", 0), ("141", "Episodes", 2), ("202", "Header", 5),
                        ("999", "Header", 4), ("999", "Header_last", 1), raised=("103",))  # fmt: skip
    implemented = frozenset({"101", "103", "141", "202"})
    years = by_year([ReturnResult("a", "synthetic", 2026, ours, theirs, implemented)])
    parity = years[2026]
    assert parity.compared_rules == {"101", "141"}
    assert parity.excluded == {"103": "the reference raised on it", "202": "carestat skipped it"}
    assert parity.not_implemented == {"999": 1}
    assert parity.agreement().share == 2 / 3
    assert parity.share_all() == 2 / 4


def test_returns_are_kept_apart_and_refusals_listed() -> None:
    implemented = frozenset({"101"})
    same = _report(("101", "Header", 0))
    results = [
        ReturnResult("a", "synthetic", 2025, same, _reference(("101", "Header", 0)), implemented),
        ReturnResult("b", "messy", 2025, _report(), _reference(("101", "Header", 0)), implemented),
        ReturnResult("c", "messy", 2025, None, _reference(), implemented),
        ReturnResult("d", "messy", 2025, same, {"error": "KeyError: CHILD"}, implemented),
    ]
    parity = by_year(results)[2025]
    assert (parity.returns, len(parity.refused)) == (4, 2)
    rule = parity.agreement().rules[0]
    assert (rule.both, rule.only_carestat, rule.only_reference) == (1, 0, 1)
    summary = to_dict({2025: parity})["2025"]
    assert summary["only_reference"] == [["101", "b:Header", 0]]
    assert "| 2025 | 4 | 1 | 50.00% |" in markdown({2025: parity})
