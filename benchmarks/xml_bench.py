"""Read and write a national-size return: XML read (fast and streaming paths), CSV read, XML write.

Builds one council's 2026 return with `carestat synth --children N` (default 62,000 looked after at
31 March, about 100,000 children in the return), kept under benchmarks/results/xml-work (ignored by
git), writes it as XML, then times each step in a fresh process: wall and CPU seconds and peak
memory. Human lines first, then one JSON line. Options: `--children N`, `--out DIR`.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARESTAT = Path(sys.executable).parent / "carestat"
YEAR = 2026
STEPS = ("read_xml", "read_xml_streaming", "read_csv", "write_xml")


def make_return(out: Path, children: int) -> tuple[Path, Path]:
    """The synthetic return's CSV folder and its XML file, made once per size."""
    folder = out / f"c{children}"
    if not (folder / "truth.json").exists():
        subprocess.run([str(CARESTAT), "synth", str(folder), "--las", "1", "--years", str(YEAR),
                        "--children", str(children), "--seed", "903"],
                       check=True, capture_output=True)  # fmt: skip
    council = next(p for p in folder.iterdir() if p.is_dir())
    csv_folder, xml_file = council / str(YEAR), folder / "return.xml"
    if not xml_file.exists():
        step("write_xml", csv_folder, xml_file)
    return csv_folder, xml_file


def step(name: str, csv_folder: Path, xml_file: Path) -> dict[str, object]:
    """Run one step in this process and measure it."""
    from carestat.readers import read_return
    from carestat.readers import xml as xml_reader
    from carestat.writers.xml import write_xml_return

    ret = read_return([csv_folder], year=YEAR) if name == "write_xml" else None
    if name == "read_xml_streaming":
        xml_reader.FAST_MAX_BYTES = -1  # every file goes the streaming way
    wall, cpu = time.perf_counter(), time.process_time()
    if name == "write_xml":
        write_xml_return(ret, xml_file)
    elif name == "read_csv":
        ret = read_return([csv_folder], year=YEAR)
    else:
        ret = xml_reader.read_xml_return(xml_file, YEAR, None)
    rows = {table: t.num_rows for table, t in ret.tables.items() if t.num_rows}  # type: ignore[union-attr]
    return {"step": name, "wall_seconds": round(time.perf_counter() - wall, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "rows": rows}  # fmt: skip


def run_step(name: str, csv_folder: Path, xml_file: Path) -> dict[str, object]:
    """One step in a fresh interpreter, so its imports and memory are its own."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.xml_bench", "--step", name, str(csv_folder), str(xml_file)],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Build the return, time every step, print a line each then the JSON of all."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=62_000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "xml-work")
    parser.add_argument("--step", nargs=3, metavar=("NAME", "CSV_FOLDER", "XML_FILE"))
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(step(args.step[0], Path(args.step[1]), Path(args.step[2]))))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    csv_folder, xml_file = make_return(args.out, args.children)
    size_mb = round(xml_file.stat().st_size / 1024**2)
    results = []
    for name in STEPS:
        r = run_step(name, csv_folder, xml_file)
        print(f"{name:>20}: {r['wall_seconds']} s wall, {r['cpu_seconds']} s CPU, "
              f"peak {r['peak_mb']} MB", flush=True)  # fmt: skip
        results.append(r)
    header = results[0]["rows"]["Header"]  # type: ignore[index]
    print(f"(XML file {size_mb} MB; {header} children in Header)")
    print(json.dumps({"xml": {"children": header, "xml_mb": size_mb, "steps": results}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
