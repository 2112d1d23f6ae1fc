"""The report as one self-contained HTML page: no script, no font, no link to fetch.

Charts are inline SVG (see :mod:`.charts`); colours come from CSS variables
defined for the light and the dark scheme, so the page follows the system's
dark mode and prints in light colours.  Every chart has a caption, and the
numbers behind it are in tables, for screen readers and for the phone.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from .charts import DARK, LIGHT, chart_svgs, css_var
from .data import GROUPS, ReportData

# Not strftime's names, which follow the process locale.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def render_html(data: ReportData) -> str:
    """The whole report page for ``data``."""
    figures = "\n".join(
        f'<figure id="{chart.id}" class="chart" aria-labelledby="{chart.id}-title">'
        f'<h2 id="{chart.id}-title">{_e(chart.title)}</h2>{svg}'
        f"<figcaption>{_e(chart.caption)}</figcaption></figure>"
        for chart, svg in chart_svgs(data)
    )
    title = f"Your network on {data.today.isoformat()}"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{_e(title)}</title>
<style>{_css()}</style>
</head>
<body>
<main>
<header><h1>{_e(title)}</h1><p class="sheet">{_e(data.sheet)}</p></header>
{_counts_table(data)}
<div class="lists">{_newly_lapsed(data)}{_upcoming(data)}</div>
{figures}
{_everyone(data)}
{_notes(data)}
<footer>Made by sheetsync from your sheet. Nothing in this page was sent anywhere.</footer>
</main>
</body>
</html>
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _vars(colours: Mapping[str, str]) -> str:
    pairs = [f"{css_var(role)}: {value};" for role, value in colours.items() if role != "ink"]
    return " ".join([f"--ink: {colours['ink']};", *pairs])


def _css() -> str:
    return f"""
:root {{ {_vars(LIGHT)} --bg: #ffffff; --muted: #59636e; }}
@media (prefers-color-scheme: dark) {{
  :root {{ {_vars(DARK)} --bg: #0d1117; --muted: #9198a1; }}
}}
@media print {{
  :root {{ {_vars(LIGHT)} --bg: #ffffff; --muted: #59636e; }}
  figure, table, section {{ break-inside: avoid; }}
  details {{ display: block; }}
}}
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: var(--bg); color: var(--ink);
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
main {{ max-width: 52rem; margin: 0 auto; padding: 1rem; }}
h1 {{ font-size: 1.5rem; margin: 0.5rem 0 0; }}
h2 {{ font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }}
.sheet, figcaption, footer, .muted {{ color: var(--muted); font-size: 0.9rem; }}
figure {{ margin: 0; }}
figure svg {{ display: block; width: 100%; height: auto; color: var(--ink); }}
table {{ border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }}
th, td {{ text-align: right; padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--c-grid); }}
th:first-child, td:first-child {{ text-align: left; }}
.table {{ overflow-x: auto; }}
.lists {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }}
ul {{ padding-left: 1.2rem; margin: 0.25rem 0; }}
.dot {{ display: inline-block; width: 0.7em; height: 0.7em; border-radius: 50%;
  margin-right: 0.3em; }}
{" ".join(f".g-{g.replace(' ', '-')} {{ background: var({css_var(g)}); }}" for g in GROUPS)}
footer {{ margin-top: 2rem; }}
"""


def _counts_table(data: ReportData) -> str:
    counts = data.counts()
    head = "".join(
        f'<th scope="col"><span class="dot g-{g.replace(" ", "-")}"></span>{_e(g)}</th>'
        for g in GROUPS
    )
    rows = "".join(
        f'<tr><th scope="row">{_e(tier if tier == "no tier" else "tier " + tier)}</th>'
        + "".join(f"<td>{counter[g]}</td>" for g in GROUPS)
        + f"<td>{sum(counter.values())}</td></tr>"
        for tier, counter in counts.items()
    )
    totals = data.totals()
    total_row = (
        '<tr><th scope="row">all</th>'
        + "".join(f"<td>{totals[g]}</td>" for g in GROUPS)
        + f"<td>{len(data.people)}</td></tr>"
    )
    return (
        '<section id="counts"><h2>How many are ok, due, overdue and lapsed</h2>'
        '<div class="table"><table><thead><tr><th scope="col">tier</th>'
        f'{head}<th scope="col">total</th></tr></thead>'
        f"<tbody>{rows}{total_row}</tbody></table></div>"
        '<p class="muted">"other" is new, snoozed, do-not-contact and rows to check.</p>'
        "</section>"
    )


def _newly_lapsed(data: ReportData) -> str:
    items = "".join(
        f"<li>{_e(n.name)} <span class='muted'>({_e(n.tier)}, lapsed "
        f"{n.lapsed_on.isoformat()})</span></li>"
        for n in data.newly_lapsed
    )
    body = f"<ul>{items}</ul>" if items else "<p class='muted'>Nobody. Well kept.</p>"
    return f'<section id="newly-lapsed"><h2>Moved into lapsed, last 30 days</h2>{body}</section>'


def _upcoming(data: ReportData) -> str:
    items = "".join(
        f"<li>{_e(u.name)}: {_e(u.label)} on {_WEEKDAYS[u.on.weekday()]} {u.on.isoformat()}"
        f" <span class='muted'>({_in_days(u.days_until)})</span></li>"
        for u in data.upcoming
    )
    body = f"<ul>{items}</ul>" if items else "<p class='muted'>None in the next 30 days.</p>"
    return f'<section id="upcoming"><h2>Dates that matter, coming up</h2>{body}</section>'


def _in_days(days: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")


def _everyone(data: ReportData) -> str:
    rows = "".join(
        f"<tr><td>{_e(p.name)}</td><td>{_e(p.tier)}</td><td>{_e(p.status)}</td>"
        f"<td>{'' if p.days is None else round(p.days)}</td><td>{p.cadence:g}</td></tr>"
        for p in sorted(data.people, key=lambda p: -(p.days or 0) / (p.cadence or 1))
    )
    return (
        '<details id="everyone"><summary>Everyone, as numbers</summary><div class="table">'
        "<table><thead><tr><th>name</th><th>tier</th><th>status</th><th>days since</th>"
        f"<th>cadence</th></tr></thead><tbody>{rows}</tbody></table></div></details>"
    )


def _notes(data: ReportData) -> str:
    if not data.notes:
        return ""
    items = "".join(f"<li>{_e(n)}</li>" for n in data.notes)
    return f'<section id="notes"><h2>Notes about the sheet</h2><ul>{items}</ul></section>'


def alt_text(data: ReportData) -> str:
    """The report in one or two sentences: the text alternative of its picture."""
    totals = data.totals()
    counts = ", ".join(f"{totals[g]} {g}" for g in GROUPS if totals[g]) or "none"
    text = f"{len(data.people)} contacts: {counts}."
    if data.newly_lapsed:
        names = ", ".join(n.name for n in data.newly_lapsed[:3])
        more = len(data.newly_lapsed) - 3
        text += f" Lapsed this month: {names}{f' and {more} more' if more > 0 else ''}."
    soon = [u for u in data.upcoming if u.days_until <= 7]
    if soon:
        text += (
            " Coming up: "
            + "; ".join(f"{u.name}, {u.label} {_in_days(u.days_until)}" for u in soon[:3])
            + "."
        )
    return text
