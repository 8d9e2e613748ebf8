"""Run the reference 903 validator (csc-validator-be-903) on one return and print JSON.

Runs INSIDE .venv-ref (made by tools/reference/setup.sh); carestat never imports it.

    .venv-ref/bin/python tools/reference/run_reference.py RETURN_DIR --year 2026 --la E08000035 \
        [--previous PREV_DIR] [--providers providers.xlsx] [--output FILE]

    .venv-ref/bin/python tools/reference/run_reference.py --jobs JOBS.json

JOBS.json is a list of {"folder", "year", "la", "previous"?, "providers"?, "output"} objects: many
returns in one process, so the reference's import cost (seconds) is paid once; each result is
written to its "output" file and one progress line per job goes to stderr.

RETURN_DIR holds the return's CSV files (or one .xml file). Prints
{"version", "year", "la", "seconds", "flagged": [[rule, table, row], ...], "raised": [...],
 "skipped": [...], "tables": {name: rows}} where table names are carestat's canonical names
("SocialWorker" for the reference's "SWEpisodes"; previous-year tables end in "_last") and row is
the 0-based position of the record in its file. The reference's quirks are handled here:
- its Report step crashes when nothing is flagged, so flags are read from the ERR_ columns;
- rules that raise are dropped by the reference; they are listed under "raised";
- header-only CSV files are left out, as a council would not upload them (--keep-empty keeps them).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
from importlib import metadata
from pathlib import Path

TABLE_NAMES = {"SWEpisodes": "SocialWorker"}


def _files(folder: Path, keep_empty: bool) -> list[Path]:
    """The return's data files: one XML, or the CSVs that hold at least one record."""
    if folder.is_file():
        return [folder]
    xml = sorted(folder.glob("*.xml"))
    if xml:
        return xml[:1]
    csvs = sorted(folder.glob("*.csv"))
    if keep_empty:
        return csvs
    return [p for p in csvs if len(p.read_bytes().strip().splitlines()) > 1]


def _uploads(args: argparse.Namespace) -> list[dict]:
    """Files in the form the reference's front end passes them (name, description, content)."""
    uploads = []

    def add(path: Path, description: str) -> None:
        uploads.append(
            {"name": str(path), "description": description, "file_content": path.read_bytes()}
        )

    for path in _files(args.folder, args.keep_empty):
        add(path, "This year")
    if args.previous:
        for path in _files(args.previous, args.keep_empty):
            if path.suffix.lower() == ".csv":  # the reference reads no previous year from XML
                add(path, "Prev year")
    if args.providers:
        add(args.providers, "CH lookup")  # a combined Providers / SA providers workbook
    if args.scp:
        add(args.scp, "SCP lookup")
    return uploads


def _flagged(results: dict) -> list[list]:
    """(rule, table, row) for every ERR_ cell the reference set."""
    flagged = []
    for table, frame in results.items():
        if table == "metadata":
            continue
        name = table
        for ref, ours in TABLE_NAMES.items():
            name = name.replace(ref, ours)
        for column in [c for c in frame.columns if str(c).startswith("ERR_")]:
            rows = frame.index[frame[column].fillna(False).astype(bool)]
            flagged += [[column[4:], name, int(row)] for row in rows]
    return sorted(flagged, key=lambda t: (t[0], t[1], t[2]))


def run(args: argparse.Namespace) -> dict:
    """Validate one return with the reference and gather what it flagged, skipped and dropped."""
    logging.disable(logging.CRITICAL)  # the reference logs every rule, and tracebacks, at INFO
    from lac_validator.lac_validator import LacValidator
    from lac_validator.rules.ruleset_utils import get_year_ruleset

    started = time.perf_counter()
    registry = get_year_ruleset(str(args.year))
    validator = LacValidator(
        metadata={"collectionYear": str(args.year), "localAuthority": args.la},
        files=_uploads(args),
        registry=registry,
        selected_rules=args.rules.split(",") if args.rules else None,
    )
    return {
        "version": metadata.version("csc-validator-be-903"),
        "year": args.year,
        "la": args.la,
        "seconds": round(time.perf_counter() - started, 3),
        "rules": len(registry),
        "codes": sorted(str(code) for code in registry),
        "flagged": _flagged(validator.ds_results),
        "raised": sorted(str(code) for code in validator.fails),
        "skipped": sorted(str(code) for code in validator.skips),
        "tables": {name: len(frame) for name, frame in validator.dfs.items() if name != "metadata"},
    }


def _guarded(args: argparse.Namespace) -> dict:
    """Run one return; a refusal by the reference becomes an "error" entry, never a crash."""
    try:
        with contextlib.redirect_stdout(sys.stderr):  # the reference prints as it reads
            return run(args)
    except Exception as error:  # the reference refused the upload: say why, as JSON
        return {"year": args.year, "la": args.la, "error": f"{type(error).__name__}: {error}"}


def _job_args(job: dict) -> argparse.Namespace:
    """One job of a --jobs file as the arguments of a single run."""
    path = lambda key: Path(job[key]) if job.get(key) else None  # noqa: E731
    return argparse.Namespace(
        folder=Path(job["folder"]), year=int(job["year"]), la=job["la"],
        previous=path("previous"), providers=path("providers"), scp=path("scp"),
        rules=job.get("rules"), keep_empty=bool(job.get("keep_empty")),
    )  # fmt: skip


def run_jobs(jobs_file: Path) -> int:
    """Run every job of a --jobs file in this process; 2 if any return was refused."""
    jobs = json.loads(jobs_file.read_text(encoding="utf-8"))
    refused = 0
    for number, job in enumerate(jobs, 1):
        result = _guarded(_job_args(job))
        refused += "error" in result
        Path(job["output"]).write_text(json.dumps(result) + "\n", encoding="utf-8")
        done = result.get("error") or f"{len(result['flagged'])} flags in {result['seconds']} s"
        print(
            f"reference {number}/{len(jobs)} {job['folder']}: {done}", file=sys.stderr, flush=True
        )
    return 2 if refused else 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the reference, print (or write) its JSON result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", help="a folder of CSVs or an XML file")
    parser.add_argument("--jobs", type=Path, help="JSON list of returns to run in one process")
    parser.add_argument("--year", type=int, help="collection year (2026 = 2025-26)")
    parser.add_argument("--la", help="council GSS code, e.g. E08000035")
    parser.add_argument("--previous", type=Path, help="the previous year's return folder")
    parser.add_argument("--providers", type=Path, help="combined Ofsted providers workbook")
    parser.add_argument("--scp", type=Path, help="separate social care providers list")
    parser.add_argument("--rules", help="comma-separated rule codes to run (default all)")
    parser.add_argument("--keep-empty", action="store_true", help="upload header-only CSVs too")
    parser.add_argument("--output", type=Path, help="write the JSON here instead of stdout")
    args = parser.parse_args(argv)
    if args.jobs:
        return run_jobs(args.jobs)
    if args.folder is None or args.year is None or args.la is None:
        parser.error("give RETURN_DIR, --year and --la, or --jobs JOBS.json")
    result = _guarded(args)
    text = json.dumps(result)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0 if "error" not in result else 2


if __name__ == "__main__":
    sys.exit(main())
