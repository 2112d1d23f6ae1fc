"""The Sheets API emulator answers as the real service does.

Each test pins one behaviour of Google Sheets API v4 on the emulator itself,
mostly through real gspread calls over HTTP, plus raw ``requests`` calls where
the exact answer body matters.  Everything binds 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import gspread
import pytest
import requests
from gspread.utils import DateTimeOption, Dimension, GridRangeType, ValueRenderOption

from tests.emulator import ApiError, CellError, Formula, SheetsEmulator, gspread_client
from tests.emulator.formats import from_serial, to_serial

AUTH = {"Authorization": "Bearer test-token"}
HEADER = ["Name", "Email", "Tier", "Last contacted"]


@pytest.fixture
def emu() -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emulator:
        yield emulator


@pytest.fixture
def gc(emu: SheetsEmulator) -> gspread.Client:
    client = gspread_client(emu)
    client.set_timeout(10)
    return client


def contacts(emu: SheetsEmulator, **kwargs: Any) -> str:
    """A small contact sheet: a header, two contacts around an empty row, ragged rows."""
    return emu.add_spreadsheet(
        "Contacts",
        {
            "Sheet1": [
                HEADER,
                ["Ada", "ada@example.com", 1, dt.date(2020, 1, 1)],
                [],
                ["Bob", None, None, dt.date(1999, 1, 2)],
            ]
        },
        **kwargs,
    )


def call(
    emu: SheetsEmulator, method: str, path: str, headers: dict[str, str] | None = AUTH, **kw: Any
) -> requests.Response:
    return requests.request(method, emu.base_url + path, headers=headers, timeout=10, **kw)


def value_range(ws: gspread.Worksheet, name: str | None = None, **kw: Any) -> Any:
    return ws.get(name, return_type=GridRangeType.ValueRange, pad_values=False, **kw)


# ------------------------------------------------------------------ reading


def test_values_are_row_major_without_trailing_empties(emu: SheetsEmulator) -> None:
    key = contacts(emu)
    emu.set_value(key, None, "F5", "")  # clearing leaves nothing behind
    body = call(emu, "GET", f"/v4/spreadsheets/{key}/values/Sheet1").json()
    assert body == {
        "range": "Sheet1!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [
            HEADER,
            ["Ada", "ada@example.com", "1", "1/1/2020"],
            [],
            ["Bob", "", "", "1/2/1999"],
        ],
    }


def test_range_without_values_omits_the_values_key(emu: SheetsEmulator) -> None:
    key = contacts(emu)
    body = call(emu, "GET", f"/v4/spreadsheets/{key}/values/Sheet1!F10:G12").json()
    assert body == {"range": "Sheet1!F10:G12", "majorDimension": "ROWS"}


def test_echoed_range_is_the_request_clipped_to_the_grid(
    emu: SheetsEmulator, gc: gspread.Client
) -> None:
    key = contacts(emu)
    ws = gc.open_by_key(key).sheet1
    assert value_range(ws).range == "Sheet1!A1:Z1000"
    assert value_range(ws, "D1:D").range == "Sheet1!D1:D1000"
    assert value_range(ws, "A1:AB5").range == "Sheet1!A1:Z5"
    assert value_range(ws, "B2").range == "Sheet1!B2"
    # No sheet title: the first sheet.
    body = call(emu, "GET", f"/v4/spreadsheets/{key}/values/D1:D").json()
    assert body["range"] == "Sheet1!D1:D1000"
    assert body["values"] == [["Last contacted"], ["1/1/2020"], [], ["1/2/1999"]]


@pytest.mark.parametrize(
    ("title", "cells", "echoed"),
    [
        ("Sheet1", "A1:D1", "Sheet1!A1:D1"),
        ("D3", "A1:D1", "'D3'!A1:D1"),
        ("My sheet", "A1", "'My sheet'!A1"),
        ("It's", "A1:B2", "'It''s'!A1:B2"),
    ],
)
def test_titles_are_quoted_only_when_needed(
    emu: SheetsEmulator, gc: gspread.Client, title: str, cells: str, echoed: str
) -> None:
    key = emu.add_spreadsheet("T", {"First": [], title: [["x"]]})
    assert value_range(gc.open_by_key(key).worksheet(title), cells).range == echoed


def test_columns_major_dimension(emu: SheetsEmulator, gc: gspread.Client) -> None:
    ws = gc.open_by_key(contacts(emu)).sheet1
    got = ws.get("A1:B4", major_dimension=Dimension.cols, pad_values=False)
    assert got == [["Name", "Ada", "", "Bob"], ["Email", "ada@example.com"]]


def test_unknown_sheet_in_a_range_is_400(emu: SheetsEmulator) -> None:
    key = contacts(emu)
    answer = call(emu, "GET", f"/v4/spreadsheets/{key}/values/'Nope'!A1")
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {
            "code": 400,
            "message": "Unable to parse range: 'Nope'!A1",
            "status": "INVALID_ARGUMENT",
        }
    }


def test_batch_get(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = emu.add_spreadsheet("T", {"My sheet": [["a", "b"], ["c"]]})
    got = gc.open_by_key(key).sheet1.batch_get(["A1:B1", "A2:C9", "F1"])
    assert [(r.range, list(r)) for r in got] == [
        ("'My sheet'!A1:B1", [["a", "b"]]),
        ("'My sheet'!A2:C9", [["c"]]),
        ("'My sheet'!F1", []),
    ]
    assert "+" in emu.requests[-1].raw_path  # gspread sends the space as "+"
    answer = call(emu, "GET", f"/v4/spreadsheets/{key}/values:batchGet?ranges=A1")
    assert answer.json() == {
        "spreadsheetId": key,
        "valueRanges": [{"range": "'My sheet'!A1", "majorDimension": "ROWS", "values": [["a"]]}],
    }


# -------------------------------------------------------------------- dates


def test_serials() -> None:
    assert to_serial(dt.date(2020, 1, 1)) == 43831
    assert to_serial(dt.date(1999, 1, 2)) == 36162
    assert to_serial(dt.datetime(2020, 1, 1, 18)) == 43831.75
    assert from_serial(43831.75) == dt.datetime(2020, 1, 1, 18)
    assert from_serial(36162).date() == dt.date(1999, 1, 2)


def test_dates_as_serials_both_ways(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = contacts(emu)
    ws = gc.open_by_key(key).sheet1
    got = ws.get("D2:D4", value_render_option=ValueRenderOption.unformatted, pad_values=False)
    assert got == [[43831], [], [36162]]
    # Serials written back land as dates in the DATE-formatted cells.
    ws.update([[36162], [""], [43831]], "D2:D4")
    assert [row[3] if len(row) > 3 else None for row in emu.cells(key)[1:]] == [
        dt.date(1999, 1, 2),
        None,
        dt.date(2020, 1, 1),
    ]
    ws.update([["1999-01-02"]], "E2", raw=False)
    assert ws.get("E2", value_render_option=ValueRenderOption.unformatted) == [[36162]]
    assert emu.cells(key)[1][4] == dt.date(1999, 1, 2)


def test_formatted_string_versus_formatted_value(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = contacts(emu)
    emu.set_format(key, None, "D4", "DATE", "yyyy-mm-dd")
    ws = gc.open_by_key(key).sheet1
    unformatted = ws.get(
        "C2:D4",
        value_render_option=ValueRenderOption.unformatted,
        date_time_render_option=DateTimeOption.formatted_string,
        pad_values=False,
    )
    assert unformatted == [[1, "1/1/2020"], [], ["", "1999-01-02"]]
    # FORMATTED_VALUE: every value a string, dateTimeRenderOption ignored.
    for option in (None, DateTimeOption.serial_number, DateTimeOption.formatted_string):
        got = ws.get("C2:D4", date_time_render_option=option, pad_values=False)
        assert got == [["1", "1/1/2020"], [], ["", "1999-01-02"]]


@pytest.mark.parametrize(
    ("locale", "shown"), [("en_US", "1/2/1999"), ("de_DE", "02.01.1999"), ("es_ES", "2/1/1999")]
)
def test_dates_show_in_the_locale_default_pattern(
    emu: SheetsEmulator, locale: str, shown: str
) -> None:
    key = emu.add_spreadsheet("T", {"S": [[dt.date(1999, 1, 2), 0.5]]}, locale=locale)
    body = call(emu, "GET", f"/v4/spreadsheets/{key}/values/S").json()
    assert body["values"][0][0] == shown
    assert body["values"][0][1] == ("0,5" if locale != "en_US" else "0.5")


# ------------------------------------------------------------------ writing


def test_raw_versus_user_entered(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = emu.add_spreadsheet("T")
    ws = gc.open_by_key(key).sheet1
    row = ["=4/2", "2020-01-01", "0.12", "TRUE", "'007"]
    ws.update([row], "A1")  # gspread's default is RAW
    ws.update([row], "A2", raw=False)
    assert emu.cells(key) == [
        ["=4/2", "2020-01-01", "0.12", "TRUE", "'007"],
        [Formula("=4/2"), dt.date(2020, 1, 1), 0.12, True, "007"],
    ]
    assert isinstance(emu.cells(key)[1][0], Formula)
    assert not isinstance(emu.cells(key)[0][0], Formula)
    assert ws.get("A1:E2", value_render_option=ValueRenderOption.unformatted) == [
        ["=4/2", "2020-01-01", "0.12", "TRUE", "'007"],
        [2, 43831, 0.12, True, "007"],
    ]
    assert ws.get("A2:B2", value_render_option=ValueRenderOption.formula) == [["=4/2", 43831]]
    assert ws.get("A2:D2") == [["2", "2020-01-01", "0.12", "TRUE"]]


def test_update_answer(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = emu.add_spreadsheet("T")
    answer = gc.open_by_key(key).sheet1.update([["a", "b", "c"], ["d"]], "B2")
    assert answer == {
        "spreadsheetId": key,
        "updatedRange": "Sheet1!B2:D3",
        "updatedRows": 2,
        "updatedColumns": 3,
        "updatedCells": 4,
    }
    put = emu.requests[-1]
    assert put.method == "PUT"
    assert put.query == {"valueInputOption": ["RAW"]}
    assert put.json == {"values": [["a", "b", "c"], ["d"]], "majorDimension": None}


def test_null_leaves_a_cell_and_empty_string_clears_it(
    emu: SheetsEmulator, gc: gspread.Client
) -> None:
    key = emu.add_spreadsheet("T", {"Sheet1": [["a", "b", "c"]]})
    gc.open_by_key(key).sheet1.update([[None, "", "z"]], "A1")
    assert emu.cells(key) == [["a", None, "z"]]


def test_values_batch_update_answer(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = emu.add_spreadsheet("T", {"Sheet1": [], "Other": []})
    sh = gc.open_by_key(key)
    answer = sh.sheet1.batch_update(
        [{"range": "A1:B2", "values": [[1, 2], [3, 4]]}, {"range": "D5", "values": [["x"]]}]
    )
    assert answer == {
        "spreadsheetId": key,
        "totalUpdatedRows": 3,
        "totalUpdatedColumns": 3,
        "totalUpdatedCells": 5,
        "totalUpdatedSheets": 1,
        "responses": [
            {
                "spreadsheetId": key,
                "updatedRange": "Sheet1!A1:B2",
                "updatedRows": 2,
                "updatedColumns": 2,
                "updatedCells": 4,
            },
            {
                "spreadsheetId": key,
                "updatedRange": "Sheet1!D5",
                "updatedRows": 1,
                "updatedColumns": 1,
                "updatedCells": 1,
            },
        ],
    }
    body = emu.requests[-1].json
    assert body["includeValuesInResponse"] is None  # nulls are accepted
    assert body["data"][0]["range"] == "'Sheet1'!A1:B2"


def test_values_batch_update_is_all_or_nothing(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = emu.add_spreadsheet("T", {"Sheet1": [["keep"]]})
    ws = gc.open_by_key(key).sheet1
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.batch_update([{"range": "A1", "values": [["lost"]]}, {"range": "AA1", "values": [[1]]}])
    assert err.value.code == 400
    assert emu.cells(key) == [["keep"]]


def test_write_beyond_the_grid_is_400(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = emu.add_spreadsheet("T")
    ws = gc.open_by_key(key).sheet1
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["x"]], "AA1")
    assert err.value.code == 400
    assert err.value.error == {
        "code": 400,
        "message": "Range ('Sheet1'!AA1) exceeds grid limits. Max rows: 1000, max columns: 26",
        "status": "INVALID_ARGUMENT",
    }
    with pytest.raises(gspread.exceptions.APIError, match="Max rows: 1000"):
        ws.update([["x"], ["y"]], "A1000")
    assert emu.cells(key) == []
    ws.add_cols(1)  # updateSheetProperties with "gridProperties/columnCount"
    ws.update([["x"]], "AA1")
    assert emu.grid_size(key) == (1000, 27)
    assert emu.cells(key) == [[None] * 26 + ["x"]]


def test_more_values_than_the_range_is_400(emu: SheetsEmulator, gc: gspread.Client) -> None:
    ws = gc.open_by_key(emu.add_spreadsheet("T")).sheet1
    with pytest.raises(gspread.exceptions.APIError, match=r"tried writing to column \[C\]"):
        ws.update([[1, 2, 3]], "A1:B1")


def test_value_input_option_is_required(emu: SheetsEmulator) -> None:
    key = emu.add_spreadsheet("T")
    answer = call(emu, "PUT", f"/v4/spreadsheets/{key}/values/A1", json={"values": [["x"]]})
    assert answer.status_code == 400
    assert answer.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "valueInputOption" in answer.json()["error"]["message"]
    answer = call(
        emu, "PUT", f"/v4/spreadsheets/{key}/values/A1?valueInputOption=PARSED",
        json={"values": [["x"]]},
    )  # fmt: skip
    assert answer.status_code == 400
    assert emu.cells(key) == []


def test_malformed_body_is_400(emu: SheetsEmulator) -> None:
    key = emu.add_spreadsheet("T")
    url = f"/v4/spreadsheets/{key}/values/A1?valueInputOption=RAW"
    answer = call(emu, "PUT", url, json={"values": "abc"})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith(
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), "
    )
    answer = call(
        emu, "PUT", url, data=b"{not json", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("Invalid JSON payload received.")


# ------------------------------------------------------------------- errors


def test_unknown_spreadsheet_is_404(emu: SheetsEmulator, gc: gspread.Client) -> None:
    answer = call(emu, "GET", "/v4/spreadsheets/nope")
    assert answer.status_code == 404
    assert answer.json() == {
        "error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}
    }
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key("nope")


def test_denied_spreadsheet_is_403(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = contacts(emu)
    emu.deny(key)
    answer = call(emu, "GET", f"/v4/spreadsheets/{key}/values/A1")
    assert answer.status_code == 403
    assert answer.json() == {
        "error": {
            "code": 403,
            "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED",
        }
    }
    # gspread 6.2.1's open_by_key raises the builtin PermissionError on 403.
    with pytest.raises(PermissionError):
        gc.open_by_key(key)
    emu.allow(key)
    assert gc.open_by_key(key).title == "Contacts"


def test_shared_with_checks_the_token_identity(emu: SheetsEmulator) -> None:
    key = contacts(emu, shared_with={"ada@example.com"})
    emu.register_token("ada-token", "ada@example.com")
    assert gspread_client(emu, token="ada-token").open_by_key(key).title == "Contacts"
    with pytest.raises(PermissionError):
        gspread_client(emu, token="test-token").open_by_key(key)
    assert emu.requests[-1].status == 403


def test_missing_or_revoked_bearer_token_is_401(emu: SheetsEmulator) -> None:
    key = contacts(emu)
    answer = call(emu, "GET", f"/v4/spreadsheets/{key}", headers=None)
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert (error["code"], error["status"]) == (401, "UNAUTHENTICATED")
    assert error["message"].startswith("Request is missing required authentication credential.")
    emu.revoke_token("test-token")
    answer = call(emu, "GET", f"/v4/spreadsheets/{key}")
    assert answer.status_code == 401
    assert answer.json()["error"]["message"].startswith("Request had invalid authentication")


def test_unknown_query_parameter_is_400(emu: SheetsEmulator) -> None:
    key = emu.add_spreadsheet("T")
    answer = call(emu, "GET", f"/v4/spreadsheets/{key}/values/A1?valueRenderOptions=FORMULA")
    assert answer.status_code == 400
    assert 'Unknown name "valueRenderOptions"' in answer.json()["error"]["message"]
    assert call(emu, "GET", f"/v4/spreadsheets/{key}/values/A1?fields=range").status_code == 200


def test_unimplemented_endpoint_says_so(emu: SheetsEmulator) -> None:
    key = emu.add_spreadsheet("T")
    answer = call(emu, "POST", f"/v4/spreadsheets/{key}/values/A1:append", json={})
    assert answer.status_code == 501
    assert "does not implement" in answer.json()["error"]["message"]


# ------------------------------------------------------------ spreadsheets.get


def test_metadata(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = contacts(emu, locale="de_DE", time_zone="Europe/Berlin")
    emu.add_sheet(key, "Log", rows=10, cols=3)
    sh = gc.open_by_key(key)
    assert emu.requests[-1].query == {"includeGridData": ["false"]}
    assert (sh.title, sh.locale, sh.timezone) == ("Contacts", "de_DE", "Europe/Berlin")
    body = call(emu, "GET", f"/v4/spreadsheets/{key}").json()
    assert body["spreadsheetId"] == key
    assert body["properties"]["autoRecalc"] == "ON_CHANGE"
    assert "defaultFormat" in body["properties"]
    assert body["spreadsheetUrl"] == f"https://docs.google.com/spreadsheets/d/{key}/edit"
    first, second = body["sheets"]
    assert first == {
        "properties": {
            "sheetId": 0,
            "title": "Sheet1",
            "index": 0,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": 1000, "columnCount": 26},
        }
    }
    assert second["properties"]["index"] == 1
    assert second["properties"]["gridProperties"] == {"rowCount": 10, "columnCount": 3}
    assert [ws.title for ws in sh.worksheets()] == ["Sheet1", "Log"]


def test_include_grid_data(emu: SheetsEmulator) -> None:
    key = emu.add_spreadsheet(
        "T",
        {
            "Sheet1": [
                ["Ada", 2.5, True, dt.date(2020, 1, 1), Formula("=1+2")],
                [],
                [None, "=x"],
            ],
            "Other": [["o"]],
        },
    )
    body = call(
        emu, "GET", f"/v4/spreadsheets/{key}",
        params={"includeGridData": "true", "ranges": "Sheet1!A1:E3", "fields": "sheets"},
    ).json()  # fmt: skip
    assert [s["properties"]["title"] for s in body["sheets"]] == ["Sheet1"]
    (data,) = body["sheets"][0]["data"]
    assert (data["startRow"], data["startColumn"]) == (0, 0)
    date_format = {"numberFormat": {"type": "DATE"}}
    assert data["rowData"] == [
        {
            "values": [
                {
                    "userEnteredValue": {"stringValue": "Ada"},
                    "effectiveValue": {"stringValue": "Ada"},
                    "formattedValue": "Ada",
                },
                {
                    "userEnteredValue": {"numberValue": 2.5},
                    "effectiveValue": {"numberValue": 2.5},
                    "formattedValue": "2.5",
                },
                {
                    "userEnteredValue": {"boolValue": True},
                    "effectiveValue": {"boolValue": True},
                    "formattedValue": "TRUE",
                },
                {
                    "userEnteredValue": {"numberValue": 43831},
                    "effectiveValue": {"numberValue": 43831},
                    "formattedValue": "1/1/2020",
                    "userEnteredFormat": date_format,
                    "effectiveFormat": {"numberFormat": {"type": "DATE", "pattern": "M/d/yyyy"}},
                },
                {
                    "userEnteredValue": {"formulaValue": "=1+2"},
                    "effectiveValue": {"numberValue": 3},
                    "formattedValue": "3",
                },
            ]
        },
        {},
        {
            "values": [
                {},
                {
                    "userEnteredValue": {"stringValue": "=x"},
                    "effectiveValue": {"stringValue": "=x"},
                    "formattedValue": "=x",
                },
            ]
        },
    ]
    answer = call(
        emu,
        "GET",
        f"/v4/spreadsheets/{key}",
        params={"includeGridData": "true", "ranges": "Nope!A1"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Unable to parse range: Nope!A1"


# --------------------------------------------------------------- batchUpdate


def batch(emu: SheetsEmulator, key: str, *requests_: dict[str, Any]) -> requests.Response:
    return call(emu, "POST", f"/v4/spreadsheets/{key}:batchUpdate", json={"requests": requests_})


def update_cells(row: list[dict[str, Any]], fields: str, col: int = 0) -> dict[str, Any]:
    return {
        "updateCells": {
            "rows": [{"values": row}],
            "fields": fields,
            "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": col},
        }
    }


def test_update_cells(emu: SheetsEmulator) -> None:
    key = emu.add_spreadsheet("T", {"Sheet1": [["a", "b", dt.date(2020, 1, 1)]]})
    answer = batch(
        emu,
        key,
        update_cells(
            [
                {"userEnteredValue": {"stringValue": "=4/2"}},
                {"userEnteredValue": {"formulaValue": "=4/2"}},
                {"userEnteredValue": {"numberValue": 36162}},
                {},
            ],
            "userEnteredValue",
        ),
    )
    assert answer.status_code == 200
    assert answer.json() == {"spreadsheetId": key, "replies": [{}]}
    # A stringValue is text even with a leading "="; DATE format kept when only values change;
    # a CellData without userEnteredValue clears the cell.
    assert emu.cells(key) == [["=4/2", Formula("=4/2"), dt.date(1999, 1, 2)]]
    cell = emu.cell(key, None, "B1")
    assert cell is not None and cell.effective == 2
    batch(
        emu,
        key,
        update_cells(
            [{"userEnteredValue": {"numberValue": 43831},
              "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}}],
            "userEnteredValue,userEnteredFormat.numberFormat",
            col=3,
        ),
    )  # fmt: skip
    values = call(emu, "GET", f"/v4/spreadsheets/{key}/values/D1").json()["values"]
    assert values == [["2020-01-01"]]


def test_batch_update_is_all_or_nothing(emu: SheetsEmulator) -> None:
    key = emu.add_spreadsheet("T", {"Sheet1": [["keep"]]})
    answer = batch(
        emu,
        key,
        {"appendDimension": {"sheetId": 0, "dimension": "COLUMNS", "length": 5}},
        update_cells([{"userEnteredValue": {"stringValue": "lost"}}], "userEnteredValue"),
        {"mergeEverything": {}},
    )
    assert answer.status_code == 400
    assert "mergeEverything" in answer.json()["error"]["message"]
    assert emu.cells(key) == [["keep"]]
    assert emu.grid_size(key) == (1000, 26)
    answer = batch(
        emu, key, update_cells([{"userEnteredValue": {"stringValue": "x"}}], "*", col=26)
    )
    assert answer.json()["error"]["message"] == (
        "Range ('Sheet1'!AA1) exceeds grid limits. Max rows: 1000, max columns: 26"
    )
    # In order: a grown grid takes the write within the same batch.
    answer = batch(
        emu,
        key,
        {"appendDimension": {"sheetId": 0, "dimension": "COLUMNS", "length": 1}},
        update_cells([{"userEnteredValue": {"stringValue": "x"}}], "*", col=26),
    )
    assert answer.status_code == 200
    assert emu.cells(key)[0][26] == "x"


def test_dimensions_and_sheets(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = emu.add_spreadsheet("T", {"Sheet1": [["1"], ["2"], ["3"]]})
    sh = gc.open_by_key(key)
    ws = sh.sheet1

    def span(start: int, end: int, dim: str = "ROWS") -> dict[str, Any]:
        return {"sheetId": 0, "dimension": dim, "startIndex": start, "endIndex": end}

    sh.batch_update({"requests": [{"insertDimension": {"range": span(1, 3)}}]})
    assert emu.cells(key) == [["1"], [], [], ["2"], ["3"]]
    sh.batch_update({"requests": [{"deleteDimension": {"range": span(0, 2)}}]})
    assert emu.cells(key) == [[], ["2"], ["3"]]
    sh.batch_update({"requests": [{"insertDimension": {"range": span(0, 1, "COLUMNS")}}]})
    assert emu.cells(key) == [[], [None, "2"], [None, "3"]]
    assert emu.grid_size(key) == (1000, 27)  # +2 rows, -2 rows, +1 column
    ws.resize(rows=2, cols=2)
    assert emu.cells(key) == [[], [None, "2"]]
    added = sh.add_worksheet("Log", rows=5, cols=4)
    assert (added.title, added.row_count, added.col_count) == ("Log", 5, 4)
    assert emu.sheet_titles(key) == ["Sheet1", "Log"]
    with pytest.raises(gspread.exceptions.APIError, match="already exists"):
        sh.add_worksheet("Log", rows=5, cols=4)
    with pytest.raises(gspread.exceptions.APIError, match="delete all the rows"):
        ws.delete_rows(1, 2)


# ----------------------------------------------------------------- formulas


def test_formulas(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = emu.add_spreadsheet("T", {"Sheet1": [[Formula("=(1+2)*3"), Formula("=1/0")]]})
    emu.set_formula(key, None, "C1", "=VLOOKUP(A1,X:Y,2)", "found")
    emu.set_formula(key, None, "D1", "=TODAY()")  # result unknown: reads as empty
    emu.set_formula(key, None, "E1", "=NA()", CellError("N_A", "no value"))
    ws = gc.open_by_key(key).sheet1
    assert ws.get("A1:E1", value_render_option=ValueRenderOption.unformatted) == [
        [9, "#DIV/0!", "found", "", "#N/A"]
    ]
    assert ws.get("A1:E1", value_render_option=ValueRenderOption.formula) == [
        ["=(1+2)*3", "=1/0", "=VLOOKUP(A1,X:Y,2)", "=TODAY()", "=NA()"]
    ]


# ------------------------------------------------------------------- faults


def test_fail_next_answers_then_stops(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = contacts(emu)
    ws = gc.open_by_key(key).sheet1
    rule = emu.fail_next(429, times=2, when=lambda r: r.kind == "write")
    assert ws.get("A1") == [["Name"]]  # reads pass
    for _ in range(2):
        with pytest.raises(gspread.exceptions.APIError) as err:
            ws.update([["x"]], "A1")
        assert err.value.code == 429
        assert err.value.error["status"] == "RESOURCE_EXHAUSTED"
        assert err.value.error["message"].startswith(
            "Quota exceeded for quota metric 'Write requests' and limit "
            "'Write requests per minute per user' of service 'sheets.googleapis.com'"
        )
    assert emu.cells(key)[0][0] == "Name"  # failed requests are not applied
    ws.update([["x"]], "A1")
    assert rule.hits == 2 and rule.done
    assert emu.cells(key)[0][0] == "x"
    assert [r.fault for r in emu.requests[-3:]] == ["fail 429", "fail 429", None]


@pytest.mark.parametrize(
    ("status", "name", "message"),
    [
        (500, "INTERNAL", "Internal error encountered."),
        (503, "UNAVAILABLE", "The service is currently unavailable."),
    ],
)
def test_server_errors(emu: SheetsEmulator, status: int, name: str, message: str) -> None:
    key = contacts(emu)
    emu.fail_next(status)
    answer = call(emu, "GET", f"/v4/spreadsheets/{key}")
    assert answer.status_code == status
    assert answer.json() == {"error": {"code": status, "message": message, "status": name}}
    assert call(emu, "GET", f"/v4/spreadsheets/{key}").status_code == 200


def test_drop_next_applies_nothing(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = contacts(emu)
    ws = gc.open_by_key(key).sheet1
    emu.drop_next(when=lambda r: r.method == "PUT")
    with pytest.raises(requests.exceptions.ConnectionError):
        ws.update([["x"]], "A1")
    assert emu.cells(key)[0][0] == "Name"
    assert emu.requests[-1].fault == "drop" and emu.requests[-1].status is None
    ws.update([["x"]], "A1")
    assert emu.cells(key)[0][0] == "x"


def test_drop_after_apply_loses_only_the_answer(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = contacts(emu)
    ws = gc.open_by_key(key).sheet1
    emu.drop_after_apply(when=lambda r: r.kind == "write")
    with pytest.raises(requests.exceptions.ConnectionError):
        ws.update([["x"]], "A1")
    assert emu.cells(key)[0][0] == "x"
    assert (emu.requests[-1].fault, emu.requests[-1].status) == ("drop_after_apply", 200)


def test_delay_next(emu: SheetsEmulator) -> None:
    key = contacts(emu)
    emu.delay_next(0.2)
    started = time.monotonic()
    assert call(emu, "GET", f"/v4/spreadsheets/{key}").status_code == 200
    assert time.monotonic() - started >= 0.2


def test_before_plays_the_user_between_read_and_write(
    emu: SheetsEmulator, gc: gspread.Client
) -> None:
    key = contacts(emu)
    ws = gc.open_by_key(key).sheet1
    seen = ws.get_values()
    assert seen[1][0] == "Ada"

    def user_inserts_a_row(e: SheetsEmulator) -> None:
        e.insert_rows(key, "Sheet1", 2, 1, values=[["Zoe", "zoe@example.com"]])

    emu.before(lambda r: r.kind == "write", user_inserts_a_row)
    ws.update([["stale write"]], "E2")  # meant for Ada, lands on Zoe
    cells = emu.cells(key)
    assert cells[1][0] == "Zoe" and cells[1][4] == "stale write"
    assert cells[2][0] == "Ada" and len(cells[2]) == 4
    assert emu.grid_size(key) == (1001, 26)


def test_user_edit_helpers(emu: SheetsEmulator) -> None:
    key = emu.add_spreadsheet(
        "T", {"Sheet1": [["Name", "N"], ["b", 2], ["c", 3], ["a", 1]]}, rows=10, cols=3
    )
    emu.sort_rows(key, "Sheet1", 2, lambda row: row[1])
    assert emu.cells(key) == [["Name", "N"], ["a", 1], ["b", 2], ["c", 3]]
    emu.delete_rows(key, None, 2)
    emu.rename_header(key, None, "Name", "Full name")
    emu.set_value(key, None, "C3", "=not a formula")
    emu.set_value(key, None, "C2", dt.datetime(2020, 1, 1, 12))
    assert emu.cells(key) == [
        ["Full name", "N"],
        ["b", 2, dt.datetime(2020, 1, 1, 12)],
        ["c", 3, "=not a formula"],
    ]
    assert emu.displayed(key)[1] == ["b", "2", "1/1/2020 12:00:00"]
    assert emu.grid_size(key) == (9, 3)
    with pytest.raises(KeyError):
        emu.rename_header(key, None, "Missing", "x")


# ---------------------------------------------------------------------- log


def test_request_log(emu: SheetsEmulator, gc: gspread.Client) -> None:
    key = contacts(emu)
    emu.reset_log()
    ws = gc.open_by_key(key).sheet1
    ws.get("A1:B2", value_render_option=ValueRenderOption.unformatted)
    ws.update([["x"]], "A1")
    log = emu.requests
    assert [(r.method, r.kind, r.status) for r in log] == [
        ("GET", "read", 200),
        ("GET", "read", 200),
        ("GET", "read", 200),
        ("PUT", "write", 200),
    ]
    assert log[2].path == f"/v4/spreadsheets/{key}/values/'Sheet1'!A1:B2"
    assert log[2].query == {"valueRenderOption": ["UNFORMATTED_VALUE"]}
    assert log[3].bytes_in == len(log[3].body) > 0
    assert all(r.bytes_out > 0 for r in log)
    emu.reset_log()
    assert emu.requests == []


def test_threads_share_one_model_safely(emu: SheetsEmulator) -> None:
    key = emu.add_spreadsheet("T")
    errors: list[BaseException] = []

    def writer(col: int) -> None:
        try:
            ws = gspread_client(emu).open_by_key(key).sheet1
            for row in range(1, 6):
                ws.update([[f"{col}-{row}"]], f"{chr(65 + col)}{row}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(c,)) for c in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not errors
    assert emu.cells(key) == [[f"{c}-{r}" for c in range(6)] for r in range(1, 6)]


# -------------------------------------------------------------------- routes


def test_other_modules_can_register_routes(emu: SheetsEmulator) -> None:
    def create_draft(req: Any, user: str) -> tuple[int, Any]:
        if "message" not in (req.json or {}):
            raise ApiError(400, "Missing message")
        return 200, {"id": "d1", "message": {"id": "m1", "threadId": "t1"}, "user": user}

    emu.route("POST", r"^/gmail/v1/users/([^/]+)/drafts$", create_draft)
    answer = call(emu, "POST", "/gmail/v1/users/me/drafts", json={"message": {"raw": "eA"}})
    assert answer.json() == {"id": "d1", "message": {"id": "m1", "threadId": "t1"}, "user": "me"}
    assert call(emu, "POST", "/gmail/v1/users/me/drafts", json={}).status_code == 400
    no_auth = call(emu, "POST", "/gmail/v1/users/me/drafts", headers=None, json={})
    assert no_auth.status_code == 401


def test_an_emulator_bug_fails_the_test() -> None:
    def broken(req: Any) -> tuple[int, Any]:
        raise RuntimeError("bug")

    with pytest.raises(AssertionError, match="RuntimeError: bug"), SheetsEmulator() as emu:
        emu.route("GET", r"^/broken$", broken)
        assert call(emu, "GET", "/broken").status_code == 500


# --------------------------------------------------------------------- token


def rsa_private_key_pem() -> str:
    """A fresh RSA key; google-auth signs with ``cryptography`` when present, else ``rsa``."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa as crsa
    except ImportError:  # pragma: no cover - cryptography ships with google-auth here
        import rsa

        return rsa.newkeys(2048)[1].save_pkcs1().decode()
    key = crsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="module")
def private_key() -> str:
    return rsa_private_key_pem()


def service_account_info(emu: SheetsEmulator, private_key: str) -> dict[str, str]:
    return {
        "type": "service_account",
        "project_id": "sheetsync-test",
        "private_key_id": "k1",
        "private_key": private_key,
        "client_email": "robot@sheetsync-test.iam.gserviceaccount.com",
        "client_id": "1234",
        "token_uri": emu.base_url + "/token",
    }


def test_service_account_token_flow(emu: SheetsEmulator, private_key: str) -> None:
    from google.oauth2 import service_account

    robot = "robot@sheetsync-test.iam.gserviceaccount.com"
    key = contacts(emu, shared_with={robot})
    creds = service_account.Credentials.from_service_account_info(
        service_account_info(emu, private_key),
        scopes=["https://www.googleapis.com/auth/spreadsheets"],
    )
    ws = gspread_client(emu, credentials=creds).open_by_key(key).sheet1
    assert ws.get("A1") == [["Name"]]
    (token,) = emu.tokens
    assert (token.identity, token.issuer, token.subject) == (robot, robot, None)
    assert token.scope == "https://www.googleapis.com/auth/spreadsheets"
    assert creds.token == token.token and creds.token.startswith("emu-")
    kinds = [r.kind for r in emu.requests]
    assert kinds[0] == "token" and kinds.count("token") == 1  # refreshed once, then reused
    assert {r.identity for r in emu.requests if r.kind != "token"} == {robot}
    # Domain-wide delegation acts as the subject, who is not shared on this sheet.
    delegated = creds.with_subject("ada@example.com")
    with pytest.raises(PermissionError):
        gspread_client(emu, credentials=delegated).open_by_key(key)
    assert emu.tokens[-1].identity == "ada@example.com"


def test_user_refresh_token_flow(emu: SheetsEmulator) -> None:
    from google.auth.exceptions import RefreshError
    from google.oauth2.credentials import Credentials

    key = contacts(emu)
    emu.add_user("refresh-1", "me@example.com")

    def creds() -> Credentials:
        return Credentials(
            token=None, refresh_token="refresh-1", client_id="cid", client_secret="secret",
            token_uri=emu.base_url + "/token",
        )  # fmt: skip

    assert gspread_client(emu, credentials=creds()).open_by_key(key).title == "Contacts"
    assert emu.tokens[-1].identity == "me@example.com"
    emu.revoke_token("refresh-1")
    with pytest.raises(RefreshError, match="invalid_grant"):
        gspread_client(emu, credentials=creds()).open_by_key(key)


def test_token_endpoint_rejects_bad_grants(emu: SheetsEmulator) -> None:
    def jwt(payload: dict[str, Any]) -> str:
        def part(obj: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

        return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(payload)}.c2ln"

    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    good = {"iss": "a@b", "scope": "s", "aud": "x", "exp": time.time() + 60}
    for payload, status in [
        (good, 200),
        ({**good, "exp": time.time() - 60}, 400),
        ({k: v for k, v in good.items() if k != "scope"}, 400),
    ]:
        answer = call(emu, "POST", "/token", headers=None,
                      data={"grant_type": grant, "assertion": jwt(payload)})  # fmt: skip
        assert answer.status_code == status, answer.text
    assert answer.json()["error"] == "invalid_grant"
    answer = call(emu, "POST", "/token", headers=None, data={"grant_type": "password"})
    assert answer.json()["error"] == "unsupported_grant_type"
    ok = call(
        emu, "POST", "/token", headers=None, data={"grant_type": grant, "assertion": jwt(good)}
    )
    assert set(ok.json()) == {"access_token", "expires_in", "token_type"}
    assert ok.json()["expires_in"] == 3600 and ok.json()["token_type"] == "Bearer"
