"""Build the example networking spreadsheet that ships with sheetsync.

This script writes ``contacts.xlsx`` and ``contacts.csv`` next to itself: the
contact list of "Sam Rivera", a made-up sheetsync user, laid out the way a
real person's sheet tends to look (a title row, a blank row, the header on
row 3, blank rows between groups, a few dates typed as text, an extra "Notes"
tab, a formula column of the user's own).

The generated files are committed; re-run this script only to regenerate the
example after changing it::

    python examples/make_example.py

Every date is relative to ``TODAY`` (2026-11-22), the demo's reference day, so
that on that day the example shows every status sheetsync knows about.  All
data is literal, so the output is the same on every run (apart from the save
timestamp openpyxl stamps into the .xlsx metadata).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
XLSX_PATH = HERE / "contacts.xlsx"
CSV_PATH = HERE / "contacts.csv"

#: The demo's reference day: every date below is chosen relative to it.
TODAY = date(2026, 11, 22)

OWNER = "Sam Rivera"
TITLE = f"{OWNER} — people to keep in touch with"
TITLE_ROW = 1
HEADER_ROW = 3
FIRST_DATA_ROW = 4

HEADERS = [
    "Name",  # A
    "Email",  # B
    "Company",  # C
    "Where we met",  # D
    "Tier",  # E
    "Last contacted",  # F
    "What we talked about",  # G
    "Last met in person",  # H
    "Keep in touch every",  # I
    "Snooze until",  # J
    "Do not contact",  # K
    "Days since (mine)",  # L: the user's own formula column (xlsx only)
]
COLUMN_WIDTHS = [24, 30, 24, 26, 6, 15, 46, 18, 19, 14, 14, 17]
DATE_COLUMNS = ("F", "H", "J")
DATE_FORMAT = "yyyy-mm-dd"

# A cell value as the user left it: a real date, text (including dates typed
# as text, which the spreadsheet did not recognise), or nothing.
Value = date | str | None


def ago(days: int) -> date:
    """The date ``days`` days before TODAY."""
    return TODAY - timedelta(days=days)


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None
    company: str
    where_met: str
    tier: str | None
    last_contacted: Value
    talked_about: str
    last_in_person: Value = None
    every: str | None = None
    snooze_until: Value = None
    do_not_contact: str | None = None

    def values(self) -> list[Value]:
        return [
            self.name,
            self.email,
            self.company,
            self.where_met,
            self.tier,
            self.last_contacted,
            self.talked_about,
            self.last_in_person,
            self.every,
            self.snooze_until,
            self.do_not_contact,
        ]


# ``None`` in this list stands for a fully empty row between groups.
# One contact per entry reads better than one field per line, so the formatter skips this list.
# fmt: off
CONTACTS: list[Contact | None] = [
    # --- Met this month, not followed up yet (last contacted == last met in person).
    Contact("Priya 🚀 Raman", "priya.raman@example.com", "Lumen Analytics", "Web Summit 2026",
            "A", ago(3), "Her team's move from Airflow to Dagster", ago(3)),
    Contact("Tomás Ferreira", "tomas.ferreira@example.net", "Brisa Labs", "Web Summit 2026",
            "B", ago(2), "His startup's seed round; wants an intro to Maya", ago(2)),
    Contact("Zoë Müller", "zoe.mueller@example.org", "Nordlicht GmbH", "Berlin meetup",
            "A", ago(5), "Her move to Lisbon", ago(5), every="monthly"),
    Contact("Nguyễn Thị Lan", "lan.nguyen@example.com", "Saigon Data Works", "Friend of Maya",
            "B", ago(1), "Hiring a data engineer in Ho Chi Minh City", ago(1)),
    # --- Recently in touch, or coming due (José has slipped a little).
    Contact("Marcus Johnson", "marcus.j@example.com", "Acme Robotics", "PyCon US 2026",
            "A", ago(10), "Rust in production at Acme", date(2026, 5, 16), every="2w"),
    Contact("Aisha Bello", "aisha.bello@example.org", "Kora Health", "LinkedIn",
            "B", ago(7), "Her talk proposal for EuroPython"),
    Contact("Sofia Rossi", "sofia.rossi@example.net", "Fintech Milano", "Friend of Maya",
            "A", ago(21), "Pricing her consulting work", date(2026, 9, 12),
            every="every 3 weeks"),
    Contact("Daniel Okafor ", "daniel.okafor@example.com", "Okafor & Sons Logistics",
            "Former colleague (Globex)", "B", ago(14), "Route planning with OR-Tools",
            date(2025, 12, 5)),
    Contact("Emily Chen", "emily.chen@example.com", "Globex", "Former colleague (Globex)",
            "A", ago(44), "Her promotion to staff engineer", date(2026, 7, 30), every="45 days"),
    Contact("José Álvarez", "jose.alvarez@example.org", "Tienda Verde", "PyCon US 2026",
            "B", "2026-10-01", "Replatforming his online shop off Magento", date(2026, 5, 15)),
    None,
    # --- Overdue (and a snooze, one that has run out, and an unreadable date).
    Contact("Hannah Schmidt", "hannah.schmidt@example.com", "Bergwerk Software", "Berlin meetup",
            "A", ago(95), "Cutting their Kubernetes bill", "14 Mar 2026", every="quarterly"),
    Contact("Rahul Mehta", "rahul.mehta@example.net", "Freelance", "LinkedIn",
            "C", "3/14/2026", "Speaking at his Pune Python meetup"),
    Contact("Olivia Brown", None, "Brown Design Studio", "Friend of Maya",
            "B", ago(45), "=SUM of our ideas, joked about spreadsheets", ago(45)),
    Contact("Fatima Al-Sayed", "fatima.alsayed@example.com", "Initech", "EuroPython 2026",
            "A", ago(20), "Open-source maintainer burnout", date(2026, 7, 15)),
    Contact("Liam O'Connor", "liam.oconnor@example.org", "Harbour Capital", "Friend of Maya",
            "B", "March 2, 2026", "Angel investing for engineers"),
    Contact("Chloé Dubois", "chloe.dubois@example.net", "Atelier Numérique", "PyData Paris 2025",
            "A", ago(125), "Teaching Python to designers", date(2025, 9, 30),
            snooze_until=date(2026, 12, 15)),
    Contact("Grzegorz Nowak", "g.nowak@example.com", "Initech", "Former colleague (Globex)",
            "C", ago(165), "His sabbatical in Patagonia", date(2024, 11, 8),
            snooze_until=date(2026, 10, 1)),
    Contact("Ingrid Johansson", "ingrid.j@example.org", "Fjord Mobility", "LinkedIn",
            None, ago(40), "EV charging data for Oslo"),
    Contact("Kwame Mensah", "kwame.mensah@example.com", "Accra Tech Hub", "PyCon Africa 2025",
            "B", ago(50), "Starting a mentoring programme", date(2025, 8, 9), every="monthly"),
    Contact("Ahmed Hassan", "ahmed.hassan@example.net", "Nile Cloud", "Berlin meetup",
            "C", "sometime in spring", "Selling his agency"),
    None,
    None,
    # --- Lapsed, and the odd ones out.
    Contact("Rebecca Stein", "rebecca.stein@example.com", "Stein Legal", "Friend of Maya",
            "C", date(2025, 6, 10), "Trademark for the side project", date(2025, 6, 10)),
    Contact("Carlos Mendoza", "carlos.mendoza@example.org", "Andes Ventures", "LinkedIn",
            "B", date(2025, 9, 15), "Remote hiring across Latin America"),
    Contact("Yuki Tanaka", "yuki.tanaka@example.net", "Kaizen Games", "PyCon JP 2024",
            "C", date(2024, 10, 5), "Game jams and Godot", date(2024, 9, 27)),
    Contact("Mei Lin", None, "Dragonfly Bio", "Friend of Maya",
            None, date(2025, 11, 1), "Her PhD defence", date(2025, 11, 1)),
    Contact("Oliver Smith", "oliver.smith@example.com", "Initech", "Former colleague (Globex)",
            "B", date(2026, 6, 1), "Asked me to stop emailing him about the reunion",
            do_not_contact="yes"),
    Contact("Ana Kovačević", "ana.kovacevic@example.org", "Adriatic Data", "EuroPython 2026",
            "B", date(2027, 2, 1), "Planning a workshop together", date(2026, 7, 16)),
    Contact("Samuel Adeyemi", "samuel.adeyemi@example.com", "Lagos Fintech Co", "LinkedIn",
            "C", ago(33), "Payments APIs in Nigeria"),
    Contact("Lucía Fernández", "lucia.fernandez@example.net", "Museo Digital", "Friend of Maya",
            "A", ago(26), "Her museum's digitisation project\nSend her the Wagtail article",
            date(2026, 2, 20), every="monthly"),
    Contact("Björn Lindqvist", "bjorn.lindqvist@example.com", "Norrsken Energy", "Berlin meetup",
            "B", ago(17), "Battery storage forecasting", date(2026, 4, 23), every="2w"),
    Contact("Grace Kim", "grace.kim@example.org", "Hanbit Robotics", "PyCon US 2026",
            "A", ago(12), "Her keynote on accessibility", date(2026, 5, 17)),
]
# fmt: on

NOTES: list[list[str]] = [
    ["Goals for 2026"],
    ["- One coffee or call a week with someone from the Network tab"],
    ["- Give a talk at a conference outside Europe"],
    ["- Introduce Tomás to Maya (seed round)"],
    [],
    ["Conferences"],
    ["Event", "When", "City", "Going?"],
    ["PyCon US 2026", "May 2026", "Long Beach", "went"],
    ["EuroPython 2026", "July 2026", "Prague", "went"],
    ["Web Summit 2026", "November 2026", "Lisbon", "went"],
    ["FOSDEM 2027", "February 2027", "Brussels", "maybe"],
    [],
    ["Reminder to self: don't sort the Network tab, the groups are on purpose."],
]


def write_network(ws: Worksheet) -> None:
    """Fill the contact list tab: title, header, contacts, formatting."""
    last_col = chr(ord("A") + len(HEADERS) - 1)

    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    header_border = Border(bottom=Side(style="medium", color="5B7DB1"))
    for col, text in enumerate(HEADERS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=text)
        cell.font = header_font
        cell.fill = header_fill
        cell.border = header_border
        cell.alignment = Alignment(vertical="center", wrap_text=True)

    for col, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[chr(ord("A") + col - 1)].width = width

    row = FIRST_DATA_ROW
    for contact in CONTACTS:
        if contact is None:  # leave the whole row empty
            row += 1
            continue
        for col, value in enumerate(contact.values(), start=1):
            cell = ws.cell(row=row, column=col, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text the user typed, not a formula
        for letter in DATE_COLUMNS:
            ws[f"{letter}{row}"].number_format = DATE_FORMAT
        ws[f"E{row}"].alignment = Alignment(horizontal="center")
        ws[f"G{row}"].alignment = Alignment(wrap_text=True, vertical="top")
        days = ws[f"L{row}"]
        days.value = f'=IF(F{row}="","",TODAY()-F{row})'
        days.number_format = "0"
        row += 1
    last_row = row - 1

    ws.freeze_panes = f"A{FIRST_DATA_ROW}"

    tiers = DataValidation(type="list", formula1='"A,B,C"', allow_blank=True)
    tiers.error = "Tier is A, B or C"
    tiers.errorTitle = "Tier"
    ws.add_data_validation(tiers)
    tiers.add(f"E{FIRST_DATA_ROW}:E{last_row}")

    ws.conditional_formatting.add(
        f"A{FIRST_DATA_ROW}:{last_col}{last_row}",
        FormulaRule(formula=[f'$K{FIRST_DATA_ROW}="yes"'], font=Font(color="A6A6A6")),
    )


def write_notes(ws: Worksheet) -> None:
    """Fill the user's own "Notes" tab, which sheetsync must leave alone."""
    for line in NOTES:
        ws.append(line)
    ws["A1"].font = Font(bold=True, size=12)
    ws["A6"].font = Font(bold=True, size=12)
    for cell in ws[7]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 14


def write_xlsx(path: Path) -> None:
    wb = Workbook()
    network = wb.active
    assert network is not None
    network.title = "Network"
    write_network(network)
    write_notes(wb.create_sheet("Notes"))
    wb.properties.creator = OWNER
    wb.properties.created = datetime(2024, 9, 2, 9, 30)
    wb.save(path)


def csv_text(value: Value) -> str:
    """A cell as a CSV export shows it: real dates as ISO text, the rest as typed."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_csv(path: Path) -> None:
    csv_headers = HEADERS[:-1]  # no formula column in the export
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(csv_headers)
        for contact in CONTACTS:
            if contact is None:
                writer.writerow([""] * len(csv_headers))
            else:
                writer.writerow([csv_text(v) for v in contact.values()])


def main() -> None:
    write_xlsx(XLSX_PATH)
    write_csv(CSV_PATH)
    print(f"wrote {XLSX_PATH} and {CSV_PATH}")


if __name__ == "__main__":
    main()
