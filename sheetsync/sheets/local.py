"""Local sheet files: .xlsx/.xlsm workbooks (:mod:`.xlsx`) and .csv files (:mod:`.csv_file`).

Kept so ``from sheetsync.sheets.local import XlsxSheet`` goes on working.
"""

from __future__ import annotations

from .csv_file import CsvSheet
from .files import atomic_target, check_not_locked, lock_file_of
from .xlsx import XlsxSheet

__all__ = ["CsvSheet", "XlsxSheet", "atomic_target", "check_not_locked", "lock_file_of"]
