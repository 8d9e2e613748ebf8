"""Rules on the social worker episodes table (SocialWorker, from 2023-24)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carestat.rules.builtin._common import code_rule
from carestat.rules.expr import Env, bad_date, blank, date, flag, msg, neighbours, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

S = "SocialWorker"
FROM_2024 = (2024, None)


def _s(*rows: dict[str, str]) -> Example:
    return Example({S: [{"CHILD": "1", **r} for r in rows]})


code_rule("SW13STG1", S, "SW_REASON", "SW_REASON", "The reason for social worker change is not valid.",
          years=(2024, 2024), good="MANAGE")  # fmt: skip


@rule("SW13STG1", [S], ["SW_REASON"], "The reason for social worker change is not valid (or blank for an episode from 1 April 2023).",
      years=(2025, None), passes=[_s({"SW_REASON": "MANAGE"}), _s({"SW_DECOM": "31/03/2023"})],
      fails=[_s({"SW_REASON": "ZZZ9"}), _s({"SW_DECOM": "01/04/2023"})])  # fmt: skip
def _sw13(t: Env) -> dict[str, Any]:
    # From 2024-25 the code list requires a reason only for episodes starting from 1 April 2023.
    s = t.SocialWorker
    wrong = s.SW_REASON.notnull() & ~s.SW_REASON.isin(list(t.codes("SW_REASON")))
    missing = s.SW_REASON.isnull() & (s.SW_DECOM >= date(dt.date(2023, 4, 1)))
    what = msg("SW_REASON ", show(s, "SW_REASON"), " for an episode from ", show(s, "SW_DECOM"))
    return {S: flag(s, wrong | missing, what)}


@rule("SW02STG1", [S], ["SW_ID"], "The social worker ID does not begin with SW or XX.", years=(2024, 2025),
      passes=[_s({"SW_ID": "SW1"}), _s({"SW_ID": "XX"})], fails=[_s({"SW_ID": "AB123"}), _s({})])  # fmt: skip
def _sw02(t: Env) -> dict[str, Any]:
    s = t.SocialWorker
    bad = s.SW_ID.isnull() | ~s.SW_ID.substr(0, 2).isin(["SW", "XX"])
    return {S: flag(s, bad, msg("SW_ID ", show(s, "SW_ID"), " does not begin SW or XX"))}


@rule("SW02STG1", [S], ["SW_ID"], "The social worker ID does not begin with SW or XX, or is too short.",
      years=(2026, None), passes=[_s({"SW_ID": "SW12"})], fails=[_s({"SW_ID": "SW1"}), _s({"SW_ID": "AB123"})])  # fmt: skip
def _sw02b(t: Env) -> dict[str, Any]:
    s = t.SocialWorker
    bad = s.SW_ID.isnull() | ~s.SW_ID.substr(0, 2).isin(["SW", "XX"]) | (s.SW_ID.length() < 4)
    return {
        S: flag(
            s, bad, msg("SW_ID ", show(s, "SW_ID"), " does not begin SW or XX, or is too short")
        )
    }


@rule("SW03STG1", [S], ["SW_ID", "SW_DECOM", "SW_REASON"], "The social worker episode is incomplete.",
      years=(2024, 2024), passes=[_s({"SW_ID": "SW1", "SW_DECOM": "01/05/2023", "SW_REASON": "MANAGE"}),
                                  _s({"SW_ID": "SW1", "SW_DECOM": "30/02/2023", "SW_REASON": "MANAGE"})],
      fails=[_s({"SW_ID": "SW1", "SW_DECOM": "01/05/2023"})])  # fmt: skip
def _sw03(t: Env) -> dict[str, Any]:
    # An unreadable start date is still given (SW04STG1 flags it), as the reference has it.
    s = t.SocialWorker
    bad = s.SW_ID.isnull() | blank(s, "SW_DECOM") | s.SW_REASON.isnull()
    return {S: flag(s, bad, msg("SW_ID ", show(s, "SW_ID"), ", SW_DECOM ", show(s, "SW_DECOM"),
                                ", SW_REASON ", show(s, "SW_REASON")))}  # fmt: skip


APRIL_2023 = dt.date(2023, 4, 1)


@rule("SW01aSTG1", [S], ["SW_DECOM", "SW_ID"], "A social worker episode before April 2023 needs a start date and ID.",
      years=(2025, 2025), passes=[_s({"SW_DECOM": "01/03/2023", "SW_ID": "SW1"})],
      fails=[_s({"SW_DECOM": "01/03/2023"}), _s({"SW_ID": "SW1"})])  # fmt: skip
def _sw01a(t: Env) -> dict[str, Any]:
    s = t.SocialWorker
    bad = ((date(APRIL_2023) > s.SW_DECOM) & s.SW_ID.isnull()) | s.SW_DECOM.isnull()
    return {S: flag(s, bad, msg("SW_DECOM ", show(s, "SW_DECOM"), ", SW_ID ", show(s, "SW_ID")))}


@rule("SW01bSTG1", [S], ["SW_DECOM", "SW_ID", "SW_REASON"],
      "A social worker episode from April 2023 needs a start date, ID and reason.", years=(2025, 2025),
      passes=[_s({"SW_DECOM": "01/04/2023", "SW_ID": "SW1", "SW_REASON": "MANAGE"})],
      fails=[_s({"SW_DECOM": "01/04/2023", "SW_ID": "SW1"}), _s({})])  # fmt: skip
def _sw01b(t: Env) -> dict[str, Any]:
    s = t.SocialWorker
    bad = (
        (date(APRIL_2023) <= s.SW_DECOM) & (s.SW_ID.isnull() | s.SW_REASON.isnull())
    ) | s.SW_DECOM.isnull()
    return {S: flag(s, bad, msg("SW_DECOM ", show(s, "SW_DECOM"), ", SW_ID ", show(s, "SW_ID"),
                                ", SW_REASON ", show(s, "SW_REASON")))}  # fmt: skip


@rule("SW04STG1", [S], ["SW_DECOM"], "The social worker episode start date is not a valid date.",
      years=FROM_2024, passes=[_s({"SW_DECOM": "01/05/2023"}), _s({})], fails=[_s({"SW_DECOM": "01/13/2023"})])  # fmt: skip
def _sw04(t: Env) -> dict[str, Any]:
    s = t.SocialWorker
    return {
        S: flag(
            s,
            bad_date(s, "SW_DECOM"),
            msg("SW_DECOM ", show(s, "SW_DECOM"), " is not a valid date"),
        )
    }


@rule("SW05STG1", [S], ["SW_DEC"], "The social worker episode end date is not a valid date.",
      years=FROM_2024, passes=[_s({"SW_DEC": "01/05/2023"}), _s({})], fails=[_s({"SW_DEC": "01-05-23"})])  # fmt: skip
def _sw05(t: Env) -> dict[str, Any]:
    s = t.SocialWorker
    return {
        S: flag(s, bad_date(s, "SW_DEC"), msg("SW_DEC ", show(s, "SW_DEC"), " is not a valid date"))
    }


@rule("SW06STG2", [S], ["SW_DECOM"], "The social worker episode starts after the end of the collection year.",
      years=FROM_2024, passes=[_s({"SW_DECOM": "{end}"})], fails=[_s({"SW_DECOM": "{end+1d}"})])  # fmt: skip
def _sw06(t: Env) -> dict[str, Any]:
    s = t.SocialWorker
    return {
        S: flag(
            s, t.end < s.SW_DECOM, msg("SW_DECOM ", show(s, "SW_DECOM"), " is after the year ended")
        )
    }


def _sw07(years_back: int) -> Any:
    def check(t: Env) -> dict[str, Any]:
        import ibis

        s = t.SocialWorker
        earliest = t.start - ibis.interval(years=years_back)
        bad = (earliest > s.SW_DEC) | (t.end < s.SW_DEC)
        return {
            S: flag(s, bad, msg("SW_DEC ", show(s, "SW_DEC"), " is outside the reporting period"))
        }

    return check


_sw07_msg = "The social worker episode end date is outside the social worker reporting period."
rule("SW07STG2", [S], ["SW_DEC"], _sw07_msg, years=(2024, 2024), passes=[_s({"SW_DEC": "{start}"})],
     fails=[_s({"SW_DEC": "{start-1d}"}), _s({"SW_DEC": "{end+1d}"})])(_sw07(0))  # fmt: skip
rule("SW07STG2", [S], ["SW_DEC"], _sw07_msg, years=(2025, None), passes=[_s({"SW_DEC": "{start-1y}"})],
     fails=[_s({"SW_DEC": "{start-1y-1d}"}), _s({"SW_DEC": "{end+1d}"})])(_sw07(1))  # fmt: skip


@rule("SW08STG2", [S], ["SW_DEC"], "A later social worker episode has started but this one has not ended.",
      years=FROM_2024,
      passes=[_s({"SW_DECOM": "01/05/2023", "SW_DEC": "01/06/2023"}, {"SW_DECOM": "01/06/2023"})],
      fails=[_s({"SW_DECOM": "01/05/2023"}, {"SW_DECOM": "01/06/2023"})])  # fmt: skip
def _sw08(t: Env) -> dict[str, Any]:
    s = neighbours(t.SocialWorker, order_by="SW_DECOM")
    bad = s.has_next & s.SW_DECOM.notnull() & s.SW_DEC.isnull()
    return {
        S: flag(
            s,
            bad,
            msg(
                "Social worker episode from ",
                show(s, "SW_DECOM"),
                " has a later one but no end date",
            ),
        )
    }


def _sw09(days: int) -> Any:
    def check(t: Env) -> dict[str, Any]:
        import ibis

        s = t.SocialWorker
        bad = s.SW_DECOM + ibis.interval(days=days) > s.SW_DEC
        if days == 1:
            # Up to 2024-25 "less than 24 hours" is read, as the reference does, as starting and
            # ending on one day; an end before the start is another error (SW18STG2 from 2025-26).
            bad = s.SW_DECOM == s.SW_DEC
        return {
            S: flag(
                s,
                bad,
                msg("Social worker episode from ", show(s, "SW_DECOM"), " to ", show(s, "SW_DEC")),
            )
        }

    return check


rule("SW09STG2", [S], ["SW_DECOM", "SW_DEC"], "The social worker episode lasted less than 24 hours.",
     years=(2024, 2025), passes=[_s({"SW_DECOM": "01/05/2023", "SW_DEC": "02/05/2023"}),
                                 _s({"SW_DECOM": "02/05/2023", "SW_DEC": "01/05/2023"})],
     fails=[_s({"SW_DECOM": "01/05/2023", "SW_DEC": "01/05/2023"})])(_sw09(1))  # fmt: skip
rule("SW09STG2", [S], ["SW_DECOM", "SW_DEC"], "The social worker episode lasted less than 3 days.",
     years=(2026, None), passes=[_s({"SW_DECOM": "01/05/2025", "SW_DEC": "04/05/2025"})],
     fails=[_s({"SW_DECOM": "01/05/2025", "SW_DEC": "03/05/2025"})])(_sw09(3))  # fmt: skip


@rule("SW18STG2", [S], ["SW_DEC", "SW_DECOM"], "The social worker episode ends before it starts.",
      years=(2026, None), passes=[_s({"SW_DECOM": "01/05/2025", "SW_DEC": "01/05/2025"})],
      fails=[_s({"SW_DECOM": "01/05/2025", "SW_DEC": "30/04/2025"})])  # fmt: skip
def _sw18(t: Env) -> dict[str, Any]:
    s = t.SocialWorker
    return {
        S: flag(
            s,
            s.SW_DEC < s.SW_DECOM,
            msg("SW_DEC ", show(s, "SW_DEC"), " is before SW_DECOM ", show(s, "SW_DECOM")),
        )
    }


@rule("SW19STG2", [S], ["SW_DEC", "SW_DECOM"], "Two social worker episodes of the child start on the same date.",
      years=(2026, None), passes=[_s({"SW_DECOM": "01/05/2025"}, {"SW_DECOM": "02/05/2025"})],
      fails=[_s({"SW_DECOM": "01/05/2025"}, {"SW_DECOM": "01/05/2025"})])  # fmt: skip
def _sw19(t: Env) -> dict[str, Any]:
    import ibis

    s = t.SocialWorker
    # Each repeat after the child's first episode from that date is flagged (the first is not), as
    # the reference does.
    same = ibis.window(group_by=[s.CHILD, s.SW_DECOM], order_by=s._row)
    s = s.mutate(n_before=ibis.row_number().over(same))
    bad = s.SW_DECOM.notnull() & (s.n_before > 0)
    return {S: flag(s, bad, msg("Another social worker episode also starts ", show(s, "SW_DECOM")))}


@rule("SW14STG2", [S], ["SW_DEC"], "An earlier social worker episode has no end date.", years=(2024, 2024),
      passes=[_s({"SW_DECOM": "01/05/2023", "SW_DEC": "01/06/2023"}, {"SW_DECOM": "01/06/2023"})],
      fails=[_s({"SW_DECOM": "01/05/2023"}, {"SW_DECOM": "01/06/2023", "SW_DEC": "01/07/2023"})])  # fmt: skip
def _sw14(t: Env) -> dict[str, Any]:
    s = neighbours(t.SocialWorker, order_by="SW_DECOM")
    bad = s.has_next & s.SW_DEC.isnull() & s.SW_DEC__raw.isnull()
    return {
        S: flag(s, bad, msg("Social worker episode from ", show(s, "SW_DECOM"), " has no end date"))
    }


@rule("SW17STG2", [S], ["SW_DEC", "SW_DECOM"], "No social worker episode is open at 31 March (the latest one has ended).",
      years=(2026, None), passes=[_s({"SW_DECOM": "01/05/2025", "SW_DEC": "01/06/2025"}, {"SW_DECOM": "01/06/2025"})],
      fails=[_s({"SW_DECOM": "01/05/2025"}, {"SW_DECOM": "01/06/2025", "SW_DEC": "01/07/2025"}),
             _s({"SW_DECOM": "01/05/2025"}, {"SW_DECOM": "01/06/2025", "SW_DEC": "31/06/2025"})])  # fmt: skip
def _sw17(t: Env) -> dict[str, Any]:
    s = neighbours(t.SocialWorker.filter(t.SocialWorker.SW_DECOM.notnull()), order_by="SW_DECOM")
    # An end given but not a date has still ended the episode (SW05STG1 reports the date).
    bad = ~s.has_next & ~blank(s, "SW_DEC")
    return {S: flag(s, bad, msg("The latest social worker episode ended ", show(s, "SW_DEC")))}


def _sw10(skip_first_contact: bool) -> Any:
    def check(t: Env) -> dict[str, Any]:
        import ibis

        # Episodes starting the same day are taken in order of their end, as the reference does.
        s = t.SocialWorker
        order = ibis.window(group_by=s.CHILD, order_by=[s.SW_DECOM, s.SW_DEC, s._row])
        s = s.mutate(
            prev_sw_dec=s.SW_DEC.lag().over(order), has_prev=s._row.lag().over(order).notnull()
        )
        week = ibis.interval(days=7)
        outside = (s.SW_DECOM < s.prev_sw_dec - week) | (s.SW_DECOM > s.prev_sw_dec + week)
        bad = s.has_prev & (s.prev_sw_dec.isnull() | outside.fill_null(True))
        if skip_first_contact:
            bad = bad & ((s.SW_REASON != "FCONTA") | s.SW_REASON.isnull())
        return {S: flag(s, bad, msg("Social worker episode from ", show(s, "SW_DECOM"),
                                    " is not within 7 days of the previous end ", show(s, "prev_sw_dec")))}  # fmt: skip

    return check


def _sw10_examples(reason: str | None) -> tuple[list[Example], list[Example]]:
    extra = {"SW_REASON": reason} if reason else {}
    first = {"SW_DECOM": "01/05/2023", "SW_DEC": "01/06/2023"}
    return (
        [_s(first, {"SW_DECOM": "08/06/2023", **extra})],
        [_s(first, {"SW_DECOM": "09/06/2023", **extra})],
    )


_ok, _bad = _sw10_examples(None)
rule("SW10STG2", [S], ["SW_DECOM"], "A social worker episode does not start within 7 days of the previous one ending.",
     years=(2024, 2024), passes=_ok, fails=_bad)(_sw10(False))  # fmt: skip
_ok, _bad = _sw10_examples("MANAGE")
rule("SW10STG2", [S], ["SW_DECOM"], "A social worker episode (other than first contact) does not start within 7 days of the previous one ending.",
     years=(2025, None), passes=[*_ok, _s({"SW_DECOM": "01/05/2023", "SW_DEC": "01/06/2023"}, {"SW_DECOM": "01/09/2023", "SW_REASON": "FCONTA"})],
     fails=_bad)(_sw10(True))  # fmt: skip
rule("SW10aSTG2", [S], ["SW_DECOM"], "A new social worker episode is not within 7 days of the previous one.",
     years=(2026, None), passes=_ok, fails=_bad)(_sw10(True))  # fmt: skip


@rule("SW10bSTG2", [S], ["SW_DECOM", "SW_REASON"], "A first-contact social worker episode starts before the previous one ended.",
      years=(2026, None),
      passes=[_s({"SW_DECOM": "01/05/2025", "SW_DEC": "01/06/2025"}, {"SW_DECOM": "02/06/2025", "SW_REASON": "FCONTA"})],
      fails=[_s({"SW_DECOM": "01/05/2025", "SW_DEC": "01/06/2025"}, {"SW_DECOM": "01/06/2025", "SW_REASON": "FCONTA"})])  # fmt: skip
def _sw10b(t: Env) -> dict[str, Any]:
    s = neighbours(t.SocialWorker, "SW_DEC", order_by="SW_DECOM")
    bad = (s.SW_REASON == "FCONTA") & (s.SW_DECOM <= s.prev_sw_dec)
    return {
        S: flag(
            s,
            bad,
            msg(
                "First contact on ",
                show(s, "SW_DECOM"),
                " before the previous episode ended ",
                show(s, "prev_sw_dec"),
            ),
        )
    }
