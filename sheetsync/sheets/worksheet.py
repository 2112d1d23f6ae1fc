"""Patching cells into a worksheet part and, when it must, a style into the styles part.

Only the cells written change.  Text goes in as an inline string (``t="inlineStr"``),
so the shared-string table is never touched; a number or a date keeps the
cell's style when that style already shows it right, and otherwise takes a
style derived from it (the cell's font, fill and borders, with a date or
number format), added to ``styles.xml`` only when no such style exists yet.
Rows and cells are inserted in order, and the sheet's ``<dimension>`` and a
row's ``spans`` grow to cover what was written (ECMA-376 Part 1, §18.3).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from typing import Any

from lxml import etree

from ..core.dates import date_to_serial
from ..core.grid import Cell
from .ooxml import MAIN, PackageError, col_index, local, parse, range_of, range_text, ref, serialise

XML_NS = "http://www.w3.org/XML/1998/namespace"
ISO_DATE = "yyyy-mm-dd"
#: Built-in number formats (ECMA-376 Part 1, §18.8.30) that show dates or times.
BUILTIN_DATES = {*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)}
FIXED_2DP = 2  # built-in "0.00"
#: The children of <worksheet>, in the order the schema requires (CT_Worksheet).
WORKSHEET_ORDER = [
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
]
STYLES_ORDER = "numFmts fonts fills borders cellStyleXfs cellXfs cellStyles dxfs tableStyles "
STYLES_ORDER += "colors extLst"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_FORMAT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def is_date_format(code: str) -> bool:
    """Whether a custom number format shows a date or a time."""
    return bool(re.search(r"[dyhs]", _NOT_FORMAT.sub("", code), re.IGNORECASE))


def insert_child(parent: Any, child: Any, order: list[str]) -> Any:
    """Put ``child`` among ``parent``'s children where the schema's ``order`` wants it."""
    rank = order.index(local(child.tag))
    for i, existing in enumerate(parent):
        name = local(existing.tag)
        if name in order and order.index(name) > rank:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


class Styles:
    """The styles part, parsed only when a written cell needs a style it lacks."""

    def __init__(self, data: bytes | None):
        self._data = data
        self._root: Any = None
        self.changed = False
        self._dates: dict[int, bool] = {}
        self._derived: dict[tuple[int | None, int | None, bytes | None], int] = {}

    @property
    def root(self) -> Any:
        if self._root is None:
            self._root = parse(self._data) if self._data else _empty_styles()
        return self._root

    def _q(self, name: str) -> str:
        return f"{{{etree.QName(self.root).namespace}}}{name}"

    def _list(self, name: str) -> Any:
        found = self.root.find(self._q(name))
        if found is None:
            found = insert_child(self.root, etree.Element(self._q(name)), STYLES_ORDER.split())
        return found

    def _xfs(self) -> list[Any]:
        return list(self._list("cellXfs").iterchildren(self._q("xf")))

    def formats(self) -> dict[int, str]:
        return {
            int(f.get("numFmtId", "0")): f.get("formatCode", "")
            for f in self._list("numFmts").iterchildren(self._q("numFmt"))
        }

    def number_format(self, xf: int | None) -> int:
        xfs = self._xfs()
        if xf is None or not 0 <= xf < len(xfs):
            return 0
        return int(xfs[xf].get("numFmtId", "0"))

    def is_date(self, xf: int | None) -> bool:
        key = -1 if xf is None else xf
        if key not in self._dates:
            fmt = self.number_format(xf)
            custom = self.formats().get(fmt)
            self._dates[key] = fmt in BUILTIN_DATES or (
                custom is not None and is_date_format(custom)
            )
        return self._dates[key]

    def format_id(self, code: str) -> int:
        """The id of number format ``code``, added when the workbook has none."""
        formats = self.formats()
        for fid, existing in formats.items():
            if existing == code:
                return fid
        fid = max([163, *formats]) + 1
        numfmts = self._list("numFmts")
        etree.SubElement(numfmts, self._q("numFmt"), numFmtId=str(fid), formatCode=code)
        numfmts.set("count", str(len(numfmts)))
        self.changed = True
        return fid

    def derived(self, xf: int | None, *, fmt: int | None = None, font: Any = None) -> int:
        """A cell style like ``xf`` with number format ``fmt`` and/or ``font``; reused when the
        workbook already has it."""
        key = (xf, fmt, None if font is None else etree.tostring(font))
        if key not in self._derived:
            self._derived[key] = self._derive(xf, fmt, font)
        return self._derived[key]

    def _derive(self, xf: int | None, fmt: int | None, font: Any) -> int:
        xfs = self._xfs()
        base = copy.deepcopy(xfs[xf]) if xf is not None and 0 <= xf < len(xfs) else None
        if base is None:
            base = etree.Element(
                self._q("xf"), numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0"
            )
        if fmt is not None:
            base.set("numFmtId", str(fmt))
            base.set("applyNumberFormat", "1")
        if font is not None:
            base.set("fontId", str(self._font_id(font)))
            base.set("applyFont", "1")
        wanted = _shape(base)
        for i, existing in enumerate(xfs):
            if _shape(existing) == wanted:
                return i
        cellxfs = self._list("cellXfs")
        cellxfs.append(base)
        cellxfs.set("count", str(len(xfs) + 1))
        self.changed = True
        return len(xfs)

    def _font_id(self, font: Any) -> int:
        fonts = self._list("fonts")
        existing = list(fonts.iterchildren(self._q("font")))
        wanted = etree.tostring(font)
        for i, f in enumerate(existing):
            if etree.tostring(f) == wanted:
                return i
        fonts.append(font)
        fonts.set("count", str(len(existing) + 1))
        self.changed = True
        return len(existing)

    def font(self, *, bold: bool = False, color: str | None = None, underline: bool = False) -> Any:
        """A font element like the workbook's default one, bold or coloured."""
        fonts = list(self._list("fonts").iterchildren(self._q("font")))
        font = copy.deepcopy(fonts[0]) if fonts else etree.Element(self._q("font"))
        order = [
            "b",
            "i",
            "strike",
            "condense",
            "extend",
            "outline",
            "shadow",
            "u",
            "vertAlign",
            "sz",
            "color",
            "name",
            "family",
            "charset",
            "scheme",
        ]
        for name, wanted in (("b", bold), ("u", underline), ("color", color is not None)):
            for old in font.findall(self._q(name)):
                font.remove(old)
            if wanted:
                el = insert_child(font, etree.Element(self._q(name)), order)
                if name == "color":
                    el.set("rgb", f"FF{color}")
        return font

    def data(self) -> bytes:
        return serialise(self.root)


def _shape(el: Any) -> tuple[Any, ...]:
    """What makes two style elements the same, whatever their namespace declarations."""
    return (local(el.tag), sorted(el.attrib.items()), [_shape(c) for c in el])


def _empty_styles() -> Any:
    return parse(
        f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
        '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
        '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
        '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
        'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles '
        'count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>".encode()
    )


class Worksheet:
    """A worksheet part's XML, with rows and cells found by position."""

    def __init__(self, root: Any, styles: Styles):
        self.root = root
        self.styles = styles
        self.ns = etree.QName(root).namespace or MAIN
        data = root.find(self.q("sheetData"))
        if data is None:
            data = insert_child(root, etree.Element(self.q("sheetData")), WORKSHEET_ORDER)
        self.sheet_data = data
        self._rows: dict[int, Any] | None = None
        self._cells: dict[int, dict[int, Any]] = {}
        self.touched: list[tuple[int, int]] = []
        #: days to subtract from a serial in a workbook that counts from 1904
        self.epoch_shift = 0

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    # -- finding rows and cells ----------------------------------------------------------

    def rows(self) -> dict[int, Any]:
        if self._rows is None:
            self._rows = {}
            number = 0
            for row in self.sheet_data.iterchildren(self.q("row")):
                given = row.get("r")
                number = int(given) if given else number + 1
                if not given:
                    row.set("r", str(number))
                self._rows[number - 1] = row
        return self._rows

    def row(self, r: int, *, create: bool = True) -> Any:
        rows = self.rows()
        if r in rows or not create:
            return rows.get(r)
        el = etree.Element(self.q("row"), r=str(r + 1))
        after = max((n for n in rows if n < r), default=None)
        if after is None:
            self.sheet_data.insert(0, el)
        else:
            rows[after].addnext(el)
        rows[r] = el
        return el

    def cells(self, r: int) -> dict[int, Any]:
        if r not in self._cells:
            found: dict[int, Any] = {}
            row = self.row(r, create=False)
            col = -1
            if row is not None:
                for c in row.iterchildren(self.q("c")):
                    given = c.get("r")
                    col = col_index(re.sub(r"[\d$]", "", given)) if given else col + 1
                    if not given:
                        c.set("r", ref(r, col))
                    found[col] = c
            self._cells[r] = found
        return self._cells[r]

    def cell(self, r: int, col: int, *, create: bool = True) -> Any:
        cells = self.cells(r)
        if col in cells or not create:
            return cells.get(col)
        row = self.row(r)
        el = etree.Element(self.q("c"), r=ref(r, col))
        after = max((n for n in cells if n < col), default=None)
        if after is None:
            row.insert(0, el)
        else:
            cells[after].addnext(el)
        cells[col] = el
        spans = row.get("spans")
        if spans and re.fullmatch(r"\d+:\d+", spans):
            lo, hi = (int(x) for x in spans.split(":"))
            row.set("spans", f"{min(lo, col + 1)}:{max(hi, col + 1)}")
        return el

    def style(self, r: int, col: int) -> int | None:
        c = self.cell(r, col, create=False)
        s = None if c is None else c.get("s")
        return int(s) if s is not None and s.isdigit() else None

    def holds_date(self, r: int, col: int) -> bool:
        c = self.cell(r, col, create=False)
        return (
            c is not None
            and c.get("t") in (None, "n")
            and c.find(self.q("v")) is not None
            and self.styles.is_date(self.style(r, col))
        )

    # -- writing -------------------------------------------------------------------------

    def set(self, r: int, col: int, value: Cell, *, style: int | None = None) -> None:
        """Put ``value`` in the cell (text as text, never a formula); ``style`` overrides."""
        c = self.cell(r, col)
        for child in list(c):
            c.remove(child)
        c.attrib.pop("t", None)
        if style is not None:
            c.set("s", str(style))
        self.touched.append((r, col))
        if value is None or value == "":
            return
        if isinstance(value, bool):
            c.set("t", "b")
            etree.SubElement(c, self.q("v")).text = "1" if value else "0"
        elif isinstance(value, dt.date):
            serial: float = date_to_serial(value) - self.epoch_shift
            if isinstance(value, dt.datetime):
                serial += (value - value.replace(hour=0, minute=0, second=0, microsecond=0)) / (
                    dt.timedelta(days=1)
                )
            etree.SubElement(c, self.q("v")).text = _number(serial)
        elif isinstance(value, int | float) and math.isfinite(value):
            etree.SubElement(c, self.q("v")).text = _number(value)
        else:
            text = _ILLEGAL.sub("", str(value))
            c.set("t", "inlineStr")
            t = etree.SubElement(etree.SubElement(c, self.q("is")), self.q("t"))
            t.text = text
            if text != text.strip() or "\n" in text:
                t.set(f"{{{XML_NS}}}space", "preserve")

    def date_style(self, r: int, col: int) -> int | None:
        """The style a date written at (r, col) takes: the cell's own when it shows dates."""
        own = self.style(r, col)
        if self.styles.is_date(own):
            return None
        return self.styles.derived(own, fmt=self.styles.format_id(ISO_DATE))

    def date_style_above(self, r: int, col: int, *, scan: int = 200) -> int | None:
        """The style of the nearest date cell above in the column (a user's own format)."""
        if self.holds_date(r, col):
            return None
        for above in range(r - 1, max(-1, r - 1 - scan), -1):
            if self.holds_date(above, col):
                return self.style(above, col)
        return self.date_style(r, col)

    def fit_dimension(self) -> None:
        """Make ``<dimension>`` cover every cell written."""
        if not self.touched:
            return
        dim = self.root.find(self.q("dimension"))
        rows = [r for r, _ in self.touched]
        cols = [c for _, c in self.touched]
        box = [min(rows), min(cols), max(rows), max(cols)]
        if dim is not None and dim.get("ref"):
            try:
                r1, c1, r2, c2 = range_of(dim.get("ref"))
            except PackageError:
                r1, c1, r2, c2 = box
            if dim.get("ref") != "A1" or self.rows():  # "A1" is what an empty sheet says
                box = [min(r1, box[0]), min(c1, box[1]), max(r2, box[2]), max(c2, box[3])]
        if dim is None:
            dim = insert_child(self.root, etree.Element(self.q("dimension")), WORKSHEET_ORDER)
        dim.set("ref", range_text(*box))

    def child(self, name: str, *, create: bool = True) -> Any:
        found = self.root.find(self.q(name))
        if found is None and create:
            found = insert_child(self.root, etree.Element(self.q(name)), WORKSHEET_ORDER)
        return found

    def data(self) -> bytes:
        self.fit_dimension()
        return serialise(self.root)


def _number(value: float) -> str:
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    return repr(float(value))
