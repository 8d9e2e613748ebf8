"""The `carestat` application: each command lives in its own module and is registered here."""

from __future__ import annotations

import typer

from carestat.cli.demo_command import demo_command
from carestat.cli.load_command import load_command
from carestat.cli.rules_command import rules_command
from carestat.cli.spec_command import spec_command
from carestat.cli.validate_command import validate_command

app = typer.Typer(
    name="carestat",
    help="Read, validate, store and count England's children-in-care (SSDA903) returns.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("demo")(demo_command)
app.command("spec")(spec_command)
app.command("validate")(validate_command)
app.command("load")(load_command)
app.command("rules")(rules_command)

from carestat.cli.synth_command import synth_command  # noqa: E402

app.command("synth")(synth_command)

# Further commands register here, one line each, in the order of DESIGN.md §5.
from carestat.cli.population_command import population_app  # noqa: E402
from carestat.cli.stats_command import stats_command  # noqa: E402

app.add_typer(population_app, name="population")
app.command("stats")(stats_command)

from carestat.cli.evidence_command import evidence_command  # noqa: E402
from carestat.cli.report_command import report_command  # noqa: E402

app.command("evidence")(evidence_command)
app.command("report")(report_command)
