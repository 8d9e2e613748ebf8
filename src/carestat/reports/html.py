"""One self-contained HTML page: headline figures, then each evidence section with its charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

import pandas as pd

from carestat.evidence.section import Section
from carestat.reports.charts import to_svg

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;padding-top:1rem}h3{font-size:1rem}
table{border-collapse:collapse;font-size:.8rem;margin:.5rem 0 1rem}
td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:right}th{background:#f4f4f4}
.finding{margin:.4rem 0}.note{color:#555;font-size:.85rem}figure{margin:1rem 0}
details{margin:.5rem 0}summary{cursor:pointer}
"""
MAX_ROWS = 60  # rows of a table shown in the page; the JSON output has every row


def render_page(
    sections: Sequence[Section], headline: pd.DataFrame | None = None, title: str = "carestat"
) -> str:
    """The whole report as HTML text (inline CSS and SVG: no files beside it, no network)."""
    body = [f"<h1>{escape(title)}</h1>", _contents(sections, headline is not None)]
    if headline is not None:
        body.append(_headline(headline))
    body += [render_section(s) for s in sections]
    body.append(
        f"<p class='note'>Made by carestat on {date.today().isoformat()}. Counts follow DfE "
        "conventions: council counts from 1 to 5 are shown as c, national counts are rounded "
        "to the nearest 10 (k: a non-zero count that rounds to 0).</p>"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def _contents(sections: Sequence[Section], headline: bool) -> str:
    """A list of links to each part of the page."""
    items = ["<li><a href='#headline'>Headline figures</a></li>"] if headline else []
    items += [f"<li><a href='#{s.key}'>{escape(s.title)}</a></li>" for s in sections]
    return f"<nav><ul>{''.join(items)}</ul></nav>"


def _headline(table: pd.DataFrame) -> str:
    """The official headline figures table."""
    return (
        "<section id='headline'><h2>Headline figures</h2>"
        "<p class='note'>Official statistics computed from the records, England, as published "
        "(rounded to the nearest 10).</p>" + _table(table) + "</section>"
    )


def render_section(section: Section) -> str:
    """One evidence section: sentences, charts, notes and (folded) tables."""
    parts = [f"<section id='{escape(section.key)}'><h2>{escape(section.title)}</h2>"]
    parts += [f"<p class='finding'>{escape(s)}</p>" for s in section.sentences]
    parts += [f"<figure>{to_svg(c)}</figure>" for c in section.charts]
    parts += [f"<p class='note'>{escape(n)}</p>" for n in section.notes]
    for name, table in section.tables.items():
        shown = _national(table)
        parts.append(
            f"<details><summary>{escape(name)} ({len(table)} rows)</summary>"
            + _table(shown)
            + "</details>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _national(table: pd.DataFrame) -> pd.DataFrame:
    """The national rows of a published table (council rows are in the JSON output)."""
    if "geographic_level" in table:
        table = table[table["geographic_level"] == "National"].drop(columns=["la"])
    return table


def _table(table: pd.DataFrame) -> str:
    """A DataFrame as an escaped HTML table, the first MAX_ROWS rows."""
    html: str = table.head(MAX_ROWS).to_html(index=False, escape=True, na_rep="", border=0)
    more = len(table) - MAX_ROWS
    return html + (f"<p class='note'>{more} more rows in the JSON output.</p>" if more > 0 else "")
