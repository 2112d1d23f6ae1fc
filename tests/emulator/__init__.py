"""A local emulator of the Google Sheets API v4 (and an OAuth2 token endpoint) for tests.

    with SheetsEmulator() as emu:
        key = emu.add_spreadsheet("Contacts", {"Sheet1": [["Name", "Email"], ["Ada", "a@x"]]})
        gc = gspread_client(emu)
        gc.open_by_key(key).sheet1.get_values()

See ``emulator.py`` for the Python API and the module docstrings for the
behaviours of the real service it reproduces.
"""

from .auth import TokenInfo
from .client import gspread_client, http_client_class
from .emulator import SheetsEmulator, grid_read, reads_grid
from .model import ApiError, Cell, CellError, Formula
from .server import EmuRequest, Rule

__all__ = [
    "ApiError",
    "Cell",
    "CellError",
    "EmuRequest",
    "Formula",
    "Rule",
    "SheetsEmulator",
    "TokenInfo",
    "grid_read",
    "gspread_client",
    "http_client_class",
    "reads_grid",
]
