"""Turning input into cells and cells into output, as the real Sheets API does.

* Dates are serial numbers: days since 1899-12-30, time of day as the fraction
  (43831 is 2020-01-01, 36162 is 1999-01-02), with a DATE / DATE_TIME format.
* ``valueInputOption=RAW`` stores text as is (``=4/2`` stays text, ``0.12``
  stays text); ``USER_ENTERED`` parses a string as if typed into the UI:
  ``=4/2`` a formula, ``2020-01-01`` a date, ``0.12`` a number, ``TRUE`` a
  boolean, ``12%`` a percentage, ``'text`` text without the apostrophe.
* ``valueRenderOption``: FORMATTED_VALUE (the default) gives every value as the
  text the UI shows, in the cell's format and the spreadsheet's locale, and
  ignores ``dateTimeRenderOption``; UNFORMATTED_VALUE gives numbers as JSON
  numbers, booleans as JSON booleans, text as strings, and dates as serials
  (``dateTimeRenderOption=SERIAL_NUMBER``, the default) or as text in the
  cell's pattern (``FORMATTED_STRING``); FORMULA is UNFORMATTED_VALUE but gives
  formulas as their text.
* Default date patterns come from the locale: en_US ``M/d/yyyy``, de_DE
  ``dd.MM.yyyy``, en_GB/fr_FR ``dd/MM/yyyy``, others ``d/M/yyyy``.  Month and
  weekday names are English only (an emulator simplification).

Formulas: only trivial arithmetic (numbers, + - * /, parentheses) is computed,
by a small recursive-descent evaluator (never ``eval``); any other formula's
result is whatever the test stored with ``set_formula`` (or unknown).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from .model import Cell, CellError, Effective, Formula

EPOCH = dt.datetime(1899, 12, 30)
DATE_TYPES = frozenset({"DATE", "DATE_TIME", "TIME"})
COMMA_DECIMAL_LANGS = frozenset(
    {"de", "fr", "es", "it", "nl", "pt", "ru", "pl", "sv", "da", "fi", "nb", "no", "tr", "cs",
     "sk", "hu", "ro", "id", "uk", "el", "bg", "hr", "sl", "lt", "lv", "et"}
)  # fmt: skip
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# ---------------------------------------------------------------------- dates


def to_serial(value: dt.date) -> float:
    """A date or datetime as a serial number (days since 1899-12-30)."""
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - EPOCH
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return float((value - EPOCH.date()).days)


def from_serial(serial: float) -> dt.datetime:
    days = math.floor(serial)
    seconds = round((serial - days) * 86400)
    return EPOCH + dt.timedelta(days=days, seconds=seconds)


def default_pattern(fmt_type: str, locale: str) -> str:
    if locale == "en_US":
        date, time = "M/d/yyyy", "H:mm:ss"
        if fmt_type == "TIME":
            return "h:mm:ss am/pm"
    elif locale == "de_DE":
        date, time = "dd.MM.yyyy", "HH:mm:ss"
    elif locale in ("en_GB", "fr_FR"):
        date, time = "dd/MM/yyyy", "HH:mm:ss"
    else:
        date, time = "d/M/yyyy", "H:mm:ss"
    return {"DATE": date, "DATE_TIME": f"{date} {time}", "TIME": time}.get(fmt_type, date)


_DATE_TOKEN = re.compile(
    r'yyyy|yy|m{1,5}|M{1,4}|d{1,4}|D{1,4}|hh?|HH?|ss?|SS?|am/pm|AM/PM|a/p|"[^"]*"|\\.|.',
)


def format_date(serial: float, pattern: str) -> str:
    """The serial as text in a Sheets date pattern (``yyyy-mm-dd``, ``M/d/yyyy H:mm:ss``...).

    ``m``/``M`` is minutes after an hour token or before a seconds token, else the month;
    hours are 12-hour when the pattern has ``am/pm``.
    """
    when = from_serial(serial)
    tokens = _DATE_TOKEN.findall(pattern)
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    kinds = [
        t[0].lower() if t[0].isalpha() and t.lower() not in ("am/pm", "a/p") else "" for t in tokens
    ]
    out = []
    for i, tok in enumerate(tokens):
        low = tok.lower()
        kind = kinds[i]
        if kind == "y":
            out.append(f"{when.year:04d}" if len(tok) == 4 else f"{when.year % 100:02d}")
        elif kind == "m":
            prev = next((k for k in reversed(kinds[:i]) if k), "")
            nxt = next((k for k in kinds[i + 1 :] if k), "")
            if len(tok) <= 2 and (prev == "h" or nxt == "s"):
                out.append(f"{when.minute:0{len(tok)}d}")
            elif len(tok) <= 2:
                out.append(f"{when.month:0{len(tok)}d}")
            else:
                name = MONTHS[when.month - 1]
                out.append(name[:3] if len(tok) == 3 else name[:1] if len(tok) == 5 else name)
        elif kind == "d":
            if len(tok) <= 2:
                out.append(f"{when.day:0{len(tok)}d}")
            else:
                name = DAYS[when.weekday()]
                out.append(name[:3] if len(tok) == 3 else name)
        elif kind == "h":
            hour = when.hour % 12 or 12 if twelve else when.hour
            out.append(f"{hour:0{len(tok)}d}")
        elif kind == "s":
            out.append(f"{when.second:0{len(tok)}d}")
        elif low == "am/pm":
            out.append("AM" if when.hour < 12 else "PM")  # upper case, as Sheets shows it
        elif low == "a/p":
            out.append("a" if when.hour < 12 else "p")
        elif tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1:])
        else:
            out.append(tok)
    return "".join(out)


# -------------------------------------------------------------------- numbers


def json_number(value: float) -> int | float:
    """Integral numbers go out as JSON integers (43831, not 43831.0), as the API sends them."""
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _decimal_comma(locale: str) -> bool:
    return locale.split("_")[0] in COMMA_DECIMAL_LANGS


def general_number(value: float, locale: str) -> str:
    if value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = format(value, ".10g")
        if "e" in text:
            mantissa, exp = text.split("e")
            text = f"{mantissa}E{'+' if int(exp) >= 0 else '-'}{abs(int(exp)):02d}"
    return text.replace(".", ",") if _decimal_comma(locale) else text


def pattern_number(value: float, pattern: str, locale: str) -> str:
    """A number in a simple NUMBER/PERCENT pattern: ``0``, ``0.00``, ``#,##0.00``, ``0%``."""
    section = pattern.split(";")[0]
    percent = "%" in section
    if percent:
        value *= 100
    placeholders = [i for i, ch in enumerate(section) if ch in "0#?"]
    if not placeholders:
        return general_number(value, locale)
    body = section[placeholders[0] : placeholders[-1] + 1]
    prefix = section[: placeholders[0]].replace('"', "")
    suffix = section[placeholders[-1] + 1 :].replace('"', "")
    int_part, _, frac_part = body.partition(".")
    decimals = sum(1 for ch in frac_part if ch in "0#?")
    text = f"{abs(value):,.{decimals}f}" if "," in int_part else f"{abs(value):.{decimals}f}"
    if _decimal_comma(locale):
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    sign = "-" if value < 0 and float(text.replace(",", "").replace(".", "") or 0) else ""
    return f"{sign}{prefix}{text}{suffix}"


# ------------------------------------------------------------------- formulas


class NotArithmetic(Exception):
    """The formula is more than numbers, + - * / and parentheses."""


_ARITH_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|(.))")


def evaluate(formula: str) -> float | CellError:
    """``=1+2`` -> 3.0, ``=4/2`` -> 2.0, ``=1/0`` -> #DIV/0!; raise NotArithmetic otherwise."""
    tokens: list[str | float] = []
    for number, other in _ARITH_TOKEN.findall(formula[1:]):
        if number:
            tokens.append(float(number))
        elif other.strip():
            if other not in "+-*/()":
                raise NotArithmetic(formula)
            tokens.append(other)
    pos = 0

    def peek() -> str | float | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str | float | None:
        nonlocal pos
        pos += 1
        return tokens[pos - 1] if pos <= len(tokens) else None

    def expr() -> float:
        value = term()
        while peek() in ("+", "-"):
            value = value + term() if take() == "+" else value - term()
        return value

    def term() -> float:
        value = factor()
        while peek() in ("*", "/"):
            if take() == "*":
                value *= factor()
            else:
                divisor = factor()
                if divisor == 0:
                    raise ZeroDivisionError
                value /= divisor
        return value

    def factor() -> float:
        tok = take()
        if tok == "-":
            return -factor()
        if tok == "+":
            return factor()
        if tok == "(":
            value = expr()
            if take() != ")":
                raise NotArithmetic(formula)
            return value
        if isinstance(tok, float):
            return tok
        raise NotArithmetic(formula)

    try:
        result = expr()
    except ZeroDivisionError:
        return CellError("DIVIDE_BY_ZERO", "Function DIVIDE parameter 2 cannot be zero.")
    if pos != len(tokens):
        raise NotArithmetic(formula)
    return float(result)


def formula_cell(text: str, value: Any = None) -> Cell:
    """A formula cell: arithmetic is computed, else ``value`` (a Python value) is its result."""
    if value is None:
        try:
            return Cell(value=text, formula=True, effective=evaluate(text))
        except NotArithmetic:
            return Cell(value=text, formula=True)
    effective: Effective
    fmt_type = None
    if isinstance(value, dt.datetime):
        effective, fmt_type = to_serial(value), "DATE_TIME"
    elif isinstance(value, dt.date):
        effective, fmt_type = to_serial(value), "DATE"
    elif isinstance(value, int | float) and not isinstance(value, bool):
        effective = float(value)
    elif isinstance(value, str | bool | CellError):
        effective = value
    else:
        raise TypeError(f"cannot use {type(value).__name__} as a formula's value: {value!r}")
    return Cell(value=text, formula=True, effective=effective, fmt_type=fmt_type)


# ---------------------------------------------------------------------- input


def python_cell(value: Any) -> Cell | None:
    """A Python value stored as a user would have it: str text, Formula, number, bool, date."""
    if value is None:
        return None
    if isinstance(value, Formula):
        return formula_cell(str(value))
    if isinstance(value, bool):
        return Cell(value=value)
    if isinstance(value, int | float):
        return Cell(value=float(value))
    if isinstance(value, dt.datetime):
        return Cell(value=to_serial(value), fmt_type="DATE_TIME")
    if isinstance(value, dt.date):
        return Cell(value=to_serial(value), fmt_type="DATE")
    if isinstance(value, str):
        return Cell(value=value) if value != "" else None
    raise TypeError(f"cannot store {type(value).__name__} in a cell: {value!r}")


def python_value(cell: Cell | None) -> Any:
    """The stored cell as a Python value: text, float, bool, date/datetime, Formula, or None."""
    if cell is None or cell.value is None:
        return None
    if cell.formula:
        return Formula(str(cell.value))
    if isinstance(cell.value, float) and not isinstance(cell.value, bool):
        if cell.fmt_type == "DATE":
            return from_serial(cell.value).date()
        if cell.fmt_type == "DATE_TIME":
            return from_serial(cell.value)
    return cell.value


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})([/.])(\d{1,2})\2(\d{4})$")


def _number(text: str, locale: str) -> float | None:
    if _decimal_comma(locale):
        pattern = r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)?(,\d+)?([eE][+-]?\d+)?$"
        normal = text.replace(".", "").replace(",", ".")
    else:
        pattern = r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$"
        normal = text.replace(",", "")
    if not re.match(pattern, text) or not any(ch.isdigit() for ch in text):
        return None
    return float(normal)


def user_entered(raw: Any, locale: str) -> Cell | None:
    """A JSON value written with valueInputOption=USER_ENTERED, parsed as if typed."""
    if not isinstance(raw, str):
        return raw_cell(raw)
    if raw == "":
        return None
    if raw.startswith("=") and len(raw) > 1:
        return formula_cell(raw)
    if raw.startswith("'"):
        return Cell(value=raw[1:])
    text = raw.strip()
    if text.upper() in ("TRUE", "FALSE"):
        return Cell(value=text.upper() == "TRUE")
    number = _number(text, locale)
    if number is not None:
        return Cell(value=number)
    if text.endswith("%"):
        number = _number(text[:-1].strip(), locale)
        if number is not None:
            decimals = "." in text if not _decimal_comma(locale) else "," in text
            return Cell(
                value=number / 100, fmt_type="PERCENT", pattern="0.00%" if decimals else "0%"
            )
    try:
        m = _ISO_DATETIME.match(text)
        if m:
            y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
            when = dt.datetime(y, mo, d, h, mi, s)
            return Cell(value=to_serial(when), fmt_type="DATE_TIME", pattern="yyyy-mm-dd hh:mm:ss")
        m = _ISO_DATE.match(text)
        if m:
            day = dt.date(*(int(g) for g in m.groups()))
            return Cell(value=to_serial(day), fmt_type="DATE", pattern="yyyy-mm-dd")
        m = _SLASH_DATE.match(text)
        if m and (m.group(2) == ".") == (locale == "de_DE"):
            first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
            month, day_n = (first, second) if locale == "en_US" else (second, first)
            day = dt.date(year, month, day_n)
            return Cell(value=to_serial(day), fmt_type="DATE")
    except ValueError:
        pass  # not a real date (2020-02-30): it stays text
    return Cell(value=raw)


def raw_cell(raw: Any) -> Cell | None:
    """A JSON value written with valueInputOption=RAW: stored exactly as given."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return Cell(value=raw)
    if isinstance(raw, int | float):
        return Cell(value=float(raw))
    return Cell(value=str(raw))


# --------------------------------------------------------------------- output


def formatted(cell: Cell, locale: str) -> str:
    """The text the UI shows for a cell (FORMATTED_VALUE)."""
    value = cell.effective_value
    if value is None:
        return ""
    if isinstance(value, CellError):
        return value.text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    if cell.fmt_type in DATE_TYPES:
        return format_date(value, cell.pattern or default_pattern(cell.fmt_type or "DATE", locale))
    if cell.pattern and cell.fmt_type in ("NUMBER", "PERCENT", "CURRENCY", "SCIENTIFIC"):
        return pattern_number(value, cell.pattern, locale)
    if cell.fmt_type == "PERCENT":
        return pattern_number(value, "0.00%", locale)
    return general_number(value, locale)


def render(cell: Cell | None, value_option: str, date_option: str, locale: str) -> Any:
    """One cell for a values answer; None means empty."""
    if cell is None or cell.value is None:
        return None
    if value_option == "FORMULA" and cell.formula:
        return cell.value
    value = cell.effective_value
    if value is None:
        return None
    if value_option == "FORMATTED_VALUE" or isinstance(value, CellError):
        return formatted(cell, locale)
    if isinstance(value, bool | str):
        return value
    if cell.fmt_type in DATE_TYPES and date_option == "FORMATTED_STRING":
        return formatted(cell, locale)
    return json_number(value)


def json_value(value: Effective) -> dict[str, Any]:
    """An ExtendedValue: ``{"numberValue": 3}``, ``{"stringValue": "x"}``, ``{"errorValue"}``."""
    if isinstance(value, CellError):
        return {"errorValue": {"type": value.type, "message": value.message}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, float):
        return {"numberValue": json_number(value)}
    return {"stringValue": value}
