"""Reading contacts exports: every format from its fixture, bad files, and parsers under fuzzing.

The fixtures in tests/fixtures/import/ were written for these tests; every person
and address in them is made up.
"""

from __future__ import annotations

import codecs
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.errors import ImportFileError
from sheetsync.sources import ImportedContact, parse_contacts, read_contacts_file
from sheetsync.sources.birthday import BirthdayError, read_birthday
from sheetsync.sources.google_csv import split_values
from sheetsync.sources.merge import merge_duplicates
from sheetsync.sources.model import Birthday
from sheetsync.sources.text import decode
from sheetsync.sources.vcard import (
    FOLD_OCTETS,
    fold,
    logical_lines,
    parse_line,
    split_escaped,
    unescape,
    unfold,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"


def people(name: str) -> dict[str, ImportedContact]:
    """The contacts of a fixture by name (the first of two with the same name)."""
    parsed = read_contacts_file(FIXTURES / name)
    return {c.name: c for c in reversed(parsed.contacts)}


# --- each format, from its fixture -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "count", "left_out"),
    [
        # one of its people appears twice: see test_duplicates_in_a_linkedin_export_...
        pytest.param("linkedin_connections.csv", "LinkedIn connections", 8, [10], id="linkedin"),
        pytest.param("linkedin_connections_old.csv", "LinkedIn connections", 3, [], id="li-old"),
        pytest.param(
            "google_contacts.csv",
            "Google Contacts CSV (current layout)",
            5,
            [7],
            id="google-current",
        ),
        pytest.param(
            "google_contacts_old.csv", "Google Contacts CSV (older layout)", 3, [], id="google-old"
        ),
        pytest.param("contacts_v3.vcf", "vCard 3.0", 3, [26], id="vcard-3"),
        pytest.param("contacts_v4.vcf", "vCard 4.0", 3, [], id="vcard-4"),
        pytest.param("contacts_v21_quoted_printable.vcf", "vCard 2.1", 3, [], id="vcard-2.1-qp"),
        pytest.param("outlook_desktop.csv", "Outlook CSV (from Outlook)", 2, [5], id="outlook"),
    ],
)
def test_each_format_is_recognised_and_read(
    name: str, kind: str, count: int, left_out: list[int]
) -> None:
    parsed = read_contacts_file(FIXTURES / name)
    assert parsed.kind == kind
    assert len(parsed.contacts) == count
    assert [line for line, _ in parsed.left_out] == left_out
    assert len(parsed.warnings) == (1 if name == "linkedin_connections.csv" else 0)
    assert all(c.name and c.line >= 1 for c in parsed.contacts)


def test_linkedin_fields_and_notes_lines() -> None:
    got = people("linkedin_connections.csv")
    amara = got["Amara Okafor"]
    assert amara.line == 5, "the notes lines before the header are counted"
    assert amara.connected_on == dt.date(2026, 11, 14)
    assert amara.where_met == "LinkedIn, connected 14 Nov 2026"
    assert amara.emails == ()
    assert got["Tomás Ferreira"].emails == ("tomas.ferreira@example.net",)
    assert got["Priya 🚀 Raman"].company == "Lumen Analytics, Inc."
    assert got["Kwame Mensah"].company == 'Harbour & Pike "Studio"'
    assert got["Henrik Lund, PhD"].first_name == "Henrik"


def test_old_linkedin_export_without_url() -> None:
    got = people("linkedin_connections_old.csv")
    assert got["Ingrid Solberg"].emails == ("ingrid.solberg@example.org",)
    assert got["Rafael Domínguez"].connected_on == dt.date(2019, 1, 3)
    assert got["Dev Patel"].company == ""


def test_google_current_layout() -> None:
    got = people("google_contacts.csv")
    sofia = got["Sofia Isabel Marques"]
    assert sofia.emails == (
        "sofia.marques@example.com",
        "s.marques@example.net",
        "sofia.home@example.org",
    ), "' ::: ' separates values; the starred ('* Work') address comes first"
    assert sofia.starred and sofia.company == "Brisa Labs"
    assert sofia.where_met == "Google Contacts: Lisbon 2026"
    assert got["Jonas Weber"].company == "Fjord Systems", "first of several organisations"
    assert got["Mei Chen"].emails == ()
    # the record after a three-line note starts on line 5
    assert got["Jonas Weber"].line == 5


def test_google_old_layout() -> None:
    got = people("google_contacts_old.csv")
    lucia = got["Lucía Fernández"]
    assert lucia.emails[0] == "lucia.fernandez@example.com"
    assert lucia.company == "Olivo Analytics" and lucia.where_met == "Google Contacts"
    assert got["Björn Eriksson"].starred
    assert got["Aiko Tanaka"].where_met == "Google Contacts: Kyoto trip"


def test_old_google_export_in_utf16_with_bom(tmp_path: Path) -> None:
    text = (FIXTURES / "google_contacts_old.csv").read_text(encoding="utf-8-sig")
    target = tmp_path / "google.csv"
    target.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert set(people_of(target)) == set(people("google_contacts_old.csv"))


def people_of(path: Path) -> dict[str, ImportedContact]:
    return {c.name: c for c in read_contacts_file(path).contacts}


def test_vcard_3() -> None:
    got = people("contacts_v3.vcf")
    ada = got["Chidinma Ada Okonkwo"]
    assert ada.emails[0] == "chidinma.okonkwo@example.com", "TYPE=pref first"
    assert ada.company == "Kola Robotics, Ltd" and ada.starred
    assert got["Eliška Šimková"].where_met == "Address book (contacts_v3.vcf): Prague meetup"
    long = got["Dr. Magdalena Kowalczyk-Nakamura"]
    assert long.emails == (
        "m.kowalczyk-nakamura.very.long.address.for.folding@research.example.org",
    ), "a folded line is joined"
    assert long.title == "Principal Researcher, Applied Statistics"


def test_vcard_4() -> None:
    got = people("contacts_v4.vcf")
    assert got["Søren Ødegaard"].emails[0] == "soren@example.org", "PREF=1 first"
    assert got["Ana Lúcia Pereira"].emails == ("ana.pereira@example.net",), "grouped property"
    assert got["王小明"].first_name == "小明"


def test_vcard_21_quoted_printable() -> None:
    got = people("contacts_v21_quoted_printable.vcf")
    assert got["José María González"].company == "Café Científico S.L."
    assert "Jürgen Müller-Lüdenscheid aus dem Sauerland" in got, "soft line break joined"
    assert "Renée Lefèvre" in got, "CHARSET=ISO-8859-1"


def test_format_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    for source, disguise in (
        ("contacts_v4.vcf", "export.csv"),
        ("linkedin_connections.csv", "connections.txt"),
        ("google_contacts.csv", "contacts"),
    ):
        target = tmp_path / disguise
        shutil.copy(FIXTURES / source, target)
        assert read_contacts_file(target).kind == read_contacts_file(FIXTURES / source).kind


def test_crlf_lf_and_cr_line_endings_read_the_same() -> None:
    text = (FIXTURES / "linkedin_connections.csv").read_text(encoding="utf-8")
    names = [c.name for c in parse_contacts(text, "x").contacts]
    for ending in ("\r\n", "\r"):
        assert [c.name for c in parse_contacts(text.replace("\n", ending), "x").contacts] == names


def test_encoding_can_be_named() -> None:
    got = read_contacts_file(FIXTURES / "bad" / "windows_1252_linkedin.csv", encoding="cp1252")
    assert "Rafael Domínguez" in {c.name for c in got.contacts}


def test_unreadable_connection_date_is_a_warning_not_an_error() -> None:
    text = "First Name,Last Name,Connected On\nAva,Stone,sometime\n"
    parsed = parse_contacts(text, "c.csv")
    assert parsed.contacts[0].connected_on is None
    assert parsed.warnings and "line 2" in parsed.warnings[0]


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        pytest.param("not_contacts.csv", 1, "not a contacts export", id="other-csv"),
        pytest.param("truncated_google.csv", 2, "cut off", id="truncated-quoted-note"),
        pytest.param("truncated_linkedin.csv", 6, "cut off", id="truncated-row"),
        pytest.param("broken_line.vcf", 7, "not a vCard line", id="vcard-broken-line"),
        pytest.param("cut_off.vcf", 17, "no END:VCARD", id="vcard-cut-off"),
        pytest.param("windows_1252_linkedin.csv", 5, "0xED is not UTF-8", id="wrong-encoding"),
    ],
)
def test_bad_files_name_the_file_and_line(name: str, line: int, words: str) -> None:
    with pytest.raises(ImportFileError) as err:
        read_contacts_file(FIXTURES / "bad" / name)
    message = str(err.value)
    assert message.startswith(f"{name}, line {line}: ")
    assert words in message and "Nothing was imported" in message
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param("", 1, "it is empty", id="empty"),
        pytest.param("BEGIN:VCARD\nEND:VCARD\nEND:VCARD\n", 3, "without a BEGIN", id="end-twice"),
        pytest.param("BEGIN:VCARD\nBEGIN:VCARD\n", 2, "has no END", id="nested"),
        pytest.param("BEGIN:VCARD\nFN:A\nEND:VCARD\nFN:B\n", 4, "outside any card", id="outside"),
        pytest.param(
            "BEGIN:VCARD\nFN;CHARSET=nope;ENCODING=QUOTED-PRINTABLE:x\nEND:VCARD\n",
            2,
            "unknown",
            id="bad-charset",
        ),
        pytest.param(
            "First Name,Last Name,Connected On\nA,B,1 Jan 2020,extra\n",
            2,
            "fields",
            id="ragged-row",
        ),
    ],
)
def test_more_bad_input(text: str, line: int, words: str) -> None:
    with pytest.raises(ImportFileError, match=f"^f.txt, line {line}: .*{words}"):
        parse_contacts(text, "f.txt")


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="No file at"):
        read_contacts_file(tmp_path / "nope.csv")
    with pytest.raises(ImportFileError, match="is a folder"):
        read_contacts_file(tmp_path)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    with pytest.raises(ImportFileError, match="NUL bytes"):
        read_contacts_file(tmp_path / "photo.jpg")
    with pytest.raises(ImportFileError, match="not an encoding"):
        read_contacts_file(FIXTURES / "contacts_v4.vcf", encoding="klingon")


# --- small pieces -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        pytest.param("a@x.org ::: b@y.net", ["a@x.org", "b@y.net"], id="two"),
        pytest.param(" ::: a ::: ", ["a"], id="empties-dropped"),
        pytest.param("", [], id="empty"),
    ],
)
def test_split_values(text: str, parts: list[str]) -> None:
    assert split_values(text) == parts


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        pytest.param(r"Doe;Jane;;;", ["Doe", "Jane", "", "", ""], id="n"),
        pytest.param(r"Acme\, Inc;R&D", ["Acme, Inc", "R&D"], id="escaped-comma"),
        pytest.param(r"a\;b;c", ["a;b", "c"], id="escaped-semicolon"),
        pytest.param("trailing\\", ["trailing\\"], id="lone-backslash"),
    ],
)
def test_split_escaped(raw: str, parts: list[str]) -> None:
    assert split_escaped(raw, ";") == parts


def test_unescape() -> None:
    assert unescape(r"one\ntwo\Nthree\,\;\\") == "one\ntwo\nthree,;\\"


def test_parse_line_parameters_in_every_version() -> None:
    line = parse_line(1, 'item2.TEL;VALUE=uri;TYPE="voice,cell":tel:+1-555', "f")
    assert line.name == "TEL" and line.value == "tel:+1-555"
    assert line.params["TYPE"] == ["voice", "cell"]
    old = parse_line(1, "EMAIL;INTERNET;PREF:a@example.com", "f")
    assert old.has_type("pref") and old.has_type("internet")
    qp = parse_line(1, "FN;QUOTED-PRINTABLE:=41da", "f")
    assert qp.encoding == "QUOTED-PRINTABLE"


# --- properties ---------------------------------------------------------------------------

lines = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=300
)


@settings(max_examples=300, deadline=None)
@given(line=lines, width=st.integers(min_value=5, max_value=120))
def test_fold_unfold_round_trip(line: str, width: int) -> None:
    folded = fold(line, width)
    assert unfold(folded) == line
    assert all(len(part.encode("utf-8")) <= width for part in folded.split("\r\n"))


@settings(max_examples=200, deadline=None)
@given(value=lines)
def test_folded_lines_are_joined_when_reading(value: str) -> None:
    line = "NOTE:" + value
    assert logical_lines(fold(line, FOLD_OCTETS)) == [(1, line)]


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400))
def test_any_text_is_read_or_refused_with_our_error(text: str) -> None:
    try:
        parse_contacts(text, "fuzz.txt")
    except ImportFileError as exc:
        assert str(exc).startswith("fuzz.txt, line ")


vcard_lines = st.lists(
    st.one_of(
        st.sampled_from(["BEGIN:VCARD", "END:VCARD", "VERSION:3.0", "FN:Ada", " continued", ""]),
        st.builds(lambda n, v: f"{n}:{v}", st.sampled_from(["FN", "N", "EMAIL", "ORG"]), lines),
        st.builds(
            lambda v: f"FN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:{v}",
            st.text(alphabet="=ABCDEF0123456789 az", max_size=30),
        ),
        lines,
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(body=vcard_lines)
def test_vcard_like_text_is_read_or_refused_with_our_error(body: list[str]) -> None:
    try:
        parse_contacts("BEGIN:VCARD\r\n" + "\r\n".join(body), "fuzz.vcf")
    except ImportFileError as exc:
        assert str(exc).startswith("fuzz.vcf, line ")


csv_fields = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    header=st.sampled_from(
        [
            "First Name,Last Name,Email Address,Company,Position,Connected On",
            "First Name,Middle Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value",
            "Name,Given Name,Additional Name,Family Name,Group Membership,E-mail 1 - Value",
            "First Name,Last Name,E-mail Address,Birthday,Categories",
        ]
    ),
    rows=st.lists(st.lists(csv_fields, max_size=8), max_size=6),
    quote=st.booleans(),
)
def test_csv_like_text_is_read_or_refused_with_our_error(
    header: str, rows: list[list[str]], quote: bool
) -> None:
    wrap = (lambda f: '"' + f.replace('"', '""') + '"') if quote else (lambda f: f)
    text = header + "\n" + "\n".join(",".join(wrap(f) for f in row) for row in rows)
    try:
        parse_contacts(text, "fuzz.csv")
    except ImportFileError as exc:
        assert str(exc).startswith("fuzz.csv, line ")


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=300))
def test_any_bytes_decode_or_are_refused_with_our_error(raw: bytes) -> None:
    try:
        decode(raw, "fuzz.bin")
    except ImportFileError as exc:
        assert str(exc).startswith("fuzz.bin, line ")


# --- real exports' quirks ---------------------------------------------------------------


def test_one_extra_trailing_empty_field_is_accepted_with_a_warning() -> None:
    parsed = read_contacts_file(FIXTURES / "google_contacts_trailing_comma.csv")
    plain = read_contacts_file(FIXTURES / "google_contacts.csv")
    assert parsed.contacts == plain.contacts
    assert len(parsed.warnings) == 1
    warning = parsed.warnings[0]
    assert warning.startswith("google_contacts_trailing_comma.csv, line 5: ")
    assert "one empty field more than the header" in warning


@pytest.mark.parametrize(
    "row",
    [
        pytest.param("A,B,1 Jan 2020,extra", id="extra-with-text"),
        pytest.param("A,B,1 Jan 2020, ,x", id="text-after-an-empty-extra"),
    ],
)
def test_extra_fields_with_text_are_still_refused(row: str) -> None:
    with pytest.raises(ImportFileError, match=r"^f\.csv, line 2: .*fields but the header has 3"):
        parse_contacts(f"First Name,Last Name,Connected On\n{row}\n", "f.csv")


def test_googles_outlook_csv_export() -> None:
    parsed = read_contacts_file(FIXTURES / "outlook_from_google.csv")
    assert parsed.kind == "Outlook CSV (from Google Contacts)"
    assert parsed.left_out == [(5, "only an email address; add them by hand if you want them")]
    got = {c.name: c for c in parsed.contacts}
    sofia = got["Sofia Isabel Marques"]
    assert sofia.line == 2 and sofia.first_name == "Sofia"
    assert sofia.emails == ("sofia.marques@example.com", "sofia.home@example.org")
    assert (sofia.company, sofia.title) == ("Brisa Labs", "COO")
    assert sofia.starred, "'starred' among the ';'-separated categories"
    assert sofia.where_met == "Google Contacts: Lisbon 2026", "Google's own groups left out"
    mei = got["Mei Chen"]
    assert mei.line == 4 and mei.where_met == "Google Contacts: Climbing club"
    assert got["Tomás Ferreira"].line == 6
    assert parsed.warnings == [
        "outlook_from_google.csv, line 6: Birthday 'sometime in May' is not a birthday "
        "sheetsync can read (write it like 1988-06-15, or --06-15 without the year); that "
        "contact was imported without it."
    ]


def test_outlooks_own_export() -> None:
    got = people("outlook_desktop.csv")
    ingrid = got["Ingrid Solberg"]
    assert ingrid.emails == ("ingrid.solberg@example.org",), "an Exchange address is no address"
    assert (ingrid.company, ingrid.title) == ("Fjordlys AS", "Chief Scientist")
    assert ingrid.where_met == "Outlook: Business, Conference 2025"
    assert not ingrid.starred
    assert got["Kofi Boateng"].line == 4 and got["Kofi Boateng"].emails == ("kofi@example.com",)


# --- birthdays ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "omitted", "expected"),
    [
        pytest.param("1988-06-15", None, Birthday(6, 15, 1988), id="iso"),
        pytest.param("19880615", None, Birthday(6, 15, 1988), id="iso-basic"),
        pytest.param("1988-06-15T00:00:00Z", None, Birthday(6, 15, 1988), id="with-time"),
        pytest.param("--0615", None, Birthday(6, 15), id="vcard4-no-year"),
        pytest.param("--06-15", None, Birthday(6, 15), id="google-no-year"),
        pytest.param(" --02-29 ", None, Birthday(2, 29), id="29-feb-no-year"),
        pytest.param("1604-11-30", 1604, Birthday(11, 30), id="apple-omit-year"),
        pytest.param("6/15/1979", None, Birthday(6, 15, 1979), id="outlook-month-first"),
        pytest.param("June 15, 1979", None, Birthday(6, 15, 1979), id="month-name"),
        pytest.param("0/0/00", None, None, id="outlook-empty"),
        pytest.param("", None, None, id="empty"),
    ],
)
def test_birthdays_are_read(text: str, omitted: int | None, expected: Birthday | None) -> None:
    assert read_birthday(text, omitted_year=omitted) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("--13-01", id="month-13"),
        pytest.param("--0230", id="30-feb"),
        pytest.param("1989-02-29", id="29-feb-not-leap"),
        pytest.param("---15", id="day-only"),
        pytest.param("circa 1990", id="text"),
    ],
)
def test_unreadable_birthdays_are_refused(text: str) -> None:
    with pytest.raises(BirthdayError):
        read_birthday(text)


def test_birthday_cells() -> None:
    assert Birthday(6, 15, 1988).cell() == dt.date(1988, 6, 15)
    assert Birthday(2, 29).cell() == "--02-29"


def test_birthdays_from_vcard_and_google_contacts() -> None:
    v4 = read_contacts_file(FIXTURES / "contacts_v4.vcf")
    got = {c.name: c for c in v4.contacts}
    assert got["Søren Ødegaard"].birthday == Birthday(6, 15), "BDAY:--0615"
    assert got["Ana Lúcia Pereira"].birthday == Birthday(3, 2, 1985), "BDAY:19850302"
    assert got["王小明"].birthday is None
    v3 = people("contacts_v3.vcf")
    assert v3["Dr. Magdalena Kowalczyk-Nakamura"].birthday == Birthday(11, 30), "Apple, no year"
    google = people("google_contacts.csv")
    assert google["Sofia Isabel Marques"].birthday == Birthday(4, 12, 1990)
    assert google["Mei Chen"].birthday == Birthday(6, 15)
    assert google["Jonas Weber"].birthday is None
    assert people("outlook_desktop.csv")["Ingrid Solberg"].birthday == Birthday(6, 15, 1979)
    assert people("outlook_from_google.csv")["Mei Chen"].birthday == Birthday(2, 29)


def test_an_unreadable_bday_is_a_warning_naming_the_line() -> None:
    text = "BEGIN:VCARD\nVERSION:4.0\nFN:Ada\nBDAY;VALUE=text:circa 1990\nEND:VCARD\n"
    parsed = parse_contacts(text, "a.vcf")
    assert parsed.contacts[0].name == "Ada" and parsed.contacts[0].birthday is None
    assert parsed.warnings == [
        "a.vcf, line 4: BDAY 'circa 1990' is not a birthday sheetsync can read (write it "
        "like 1988-06-15, or --06-15 without the year); that contact was imported without it."
    ]


# --- the same person twice in one file --------------------------------------------------------


def kim(line: int, *emails: str, **fields: Any) -> ImportedContact:
    return ImportedContact(name=fields.pop("name", "Kim Lee"), line=line, emails=emails, **fields)


def test_a_later_richer_record_is_kept_and_gets_the_earlier_ones_fields() -> None:
    first = kim(2, title="Engineer")
    later = kim(9, "kim@example.com", company="Acme", birthday=Birthday(6, 15))
    merged, warnings = merge_duplicates([first, later], "c.csv")
    assert merged == [
        kim(9, "kim@example.com", company="Acme", title="Engineer", birthday=Birthday(6, 15))
    ], "today the first wins and the only email and company are lost"
    assert warnings == [
        "c.csv, lines 2 and 9: Kim Lee twice (same name); kept line 9, the richer record, "
        "with the title from line 2."
    ]


def test_records_are_merged_field_by_field_and_differences_named() -> None:
    first = kim(2, "kim@example.com", company="Acme Ltd", title="CTO", where_met="Google")
    later = kim(5, "kim@home.example.net", "KIM@example.com", company="Globex", starred=True)
    merged, warnings = merge_duplicates([first, later], "c.csv")
    assert merged == [
        kim(
            2,
            "kim@example.com",
            "kim@home.example.net",
            company="Acme Ltd",
            title="CTO",
            where_met="Google",
            starred=True,
        )
    ]
    assert warnings == [
        "c.csv, lines 2 and 5: Kim Lee twice (same email); merged into line 2, with the email "
        "kim@home.example.net and the star from line 5. Line 5 also says company 'Globex': "
        "check which is right."
    ]


def test_a_repeat_with_nothing_new_is_said_once() -> None:
    merged, warnings = merge_duplicates([kim(2, "k@x.org"), kim(3), kim(4, name="kim  LEE")], "c")
    assert merged == [kim(2, "k@x.org")]
    assert warnings == [
        "c, line 3: Kim Lee appears again (first on line 2, same name) with nothing new.",
        "c, line 4: kim  LEE appears again (first on line 2, same name) with nothing new.",
    ]


def test_same_name_with_other_emails_may_be_two_people() -> None:
    _, warnings = merge_duplicates([kim(2, "a@x.org"), kim(3, "b@y.org")], "c")
    assert warnings[0].endswith("If these are two people, add line 3 by hand with its own name.")


def test_people_who_differ_are_all_kept_in_file_order() -> None:
    records = [kim(2), kim(3, name="Ada Lovelace"), kim(4, name="Kim Park")]
    assert merge_duplicates(records, "c") == (records, [])


def test_duplicates_in_a_linkedin_export_are_merged_with_a_warning() -> None:
    parsed = read_contacts_file(FIXTURES / "linkedin_connections.csv")
    assert [c.name for c in parsed.contacts].count("Amara Okafor") == 1
    assert parsed.merged == 1 and parsed.records == 10
    assert parsed.warnings == [
        "linkedin_connections.csv, line 14: Amara Okafor appears again (first on line 5, "
        "same name) with nothing new."
    ]
