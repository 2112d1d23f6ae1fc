"""The parts of an .xlsx/.xlsm package that sheetsync reads and patches (ECMA-376).

A workbook is a zip of XML parts.  :class:`Package` finds a tab's worksheet
part through ``workbook.xml`` and its relationships; :func:`rewrite` writes a
new zip in which the parts sheetsync changed are replaced and every other part
is copied as it was, compressed bytes and all, so charts, images, pivot tables,
VBA and everything sheetsync does not understand stay byte for byte the same.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_DOC_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_TYPE = DOC_REL + "/worksheet"
HYPERLINK_TYPE = DOC_REL + "/hyperlink"
WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class PackageError(ValueError):
    """The file is not a workbook package sheetsync can read."""


def parse(data: bytes) -> Any:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise PackageError(f"broken XML ({exc})") from exc


def serialise(root: Any) -> bytes:
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return out


def local(tag: Any) -> str:
    """An element's name without its namespace (comments and PIs have none)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    joined = posixpath.join(posixpath.dirname(source_part.lstrip("/")), target)
    return posixpath.normpath(joined).lstrip("/")


@dataclass
class Tab:
    name: str
    part: str
    #: the relationship type's last word: worksheet, chartsheet, dialogsheet
    kind: str


@dataclass
class Package:
    """A workbook package read from bytes; parts are read on demand."""

    data: bytes
    zip: zipfile.ZipFile = field(init=False)
    workbook_part: str = field(init=False)
    tabs: list[Tab] = field(init=False)

    def __post_init__(self) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(self.data))
        except zipfile.BadZipFile as exc:
            raise PackageError(f"not a zip package ({exc})") from exc
        self.names = set(self.zip.namelist())
        root_rels = self.relationships("")
        office = [r for r in root_rels if r["Type"].endswith("/officeDocument")]
        self.workbook_part = office[0]["part"] if office else "xl/workbook.xml"
        if self.workbook_part not in self.names:
            raise PackageError("no workbook part")
        self.tabs = self._tabs()

    def part(self, name: str) -> bytes:
        try:
            return self.zip.read(name)
        except (KeyError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise PackageError(f"cannot read part {name} ({exc})") from exc

    def relationships(self, part: str) -> list[dict[str, str]]:
        """The relationships of ``part`` ('' for the package's own), targets resolved."""
        name = "_rels/.rels" if part == "" else rels_path(part)
        if name not in self.names:
            return []
        rels = []
        for rel in parse(self.part(name)):
            if local(rel.tag) != "Relationship":
                continue
            item = dict(rel.attrib)
            if item.get("TargetMode") != "External":
                item["part"] = resolve(part, item.get("Target", ""))
            rels.append(item)
        return rels

    def _tabs(self) -> list[Tab]:
        book = parse(self.part(self.workbook_part))
        by_id = {r["Id"]: r for r in self.relationships(self.workbook_part)}
        tabs = []
        for el in book.iter(f"{{{MAIN}}}sheet", f"{{{STRICT_MAIN}}}sheet"):
            rid = el.get(f"{{{DOC_REL}}}id") or el.get(f"{{{STRICT_DOC_REL}}}id")
            rel = by_id.get(rid or "")
            if rel is None or "part" not in rel:
                continue
            tabs.append(Tab(el.get("name", ""), rel["part"], rel["Type"].rsplit("/", 1)[-1]))
        return tabs

    def date1904(self) -> bool:
        book = parse(self.part(self.workbook_part))
        pr = next(iter(book.iter(f"{{{MAIN}}}workbookPr", f"{{{STRICT_MAIN}}}workbookPr")), None)
        return pr is not None and pr.get("date1904") in ("1", "true")


# --- cell references ----------------------------------------------------------------------

_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def split_ref(ref: str) -> tuple[int, int]:
    """``"C7"`` -> (6, 2): 0-based row and column."""
    m = _REF.match(ref.upper())
    if m is None:
        raise PackageError(f"bad cell reference {ref!r}")
    return int(m.group(2)) - 1, col_index(m.group(1))


def letters(col: int) -> str:
    out = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def ref(row: int, col: int) -> str:
    return f"{letters(col)}{row + 1}"


def range_of(text: str) -> tuple[int, int, int, int]:
    """``"A1:H20"`` -> (first row, first col, last row, last col), 0-based."""
    first, _, last = text.partition(":")
    r1, c1 = split_ref(first)
    r2, c2 = split_ref(last or first)
    return r1, c1, r2, c2


def range_text(r1: int, c1: int, r2: int, c2: int) -> str:
    return ref(r1, c1) if (r1, c1) == (r2, c2) else f"{ref(r1, c1)}:{ref(r2, c2)}"


# --- writing the zip ----------------------------------------------------------------------

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_UTF8 = 0x800


def _dos_time(info: zipfile.ZipInfo) -> tuple[int, int]:
    y, mo, d, h, mi, s = info.date_time
    return (h << 11) | (mi << 5) | (s // 2), ((max(y, 1980) - 1980) << 9) | (mo << 5) | d


def rewrite(package: Package, out: Any, replaced: dict[str, bytes], added: list[str]) -> None:
    """Write ``package`` to the binary file ``out``: ``replaced`` parts take their new bytes,
    parts named in ``added`` (keys of ``replaced`` not in the package) follow the others,
    and every other part is copied compressed, exactly as it was."""
    central: list[bytes] = []
    offset = 0
    infos = package.zip.infolist()
    order = [(i.filename, i) for i in infos] + [(n, None) for n in added]
    for name, info in order:
        encoded = name.encode("utf-8")
        if info is not None and name not in replaced:
            raw = _raw(package, info)
            method, crc, size = info.compress_type, info.CRC, info.file_size
            flags = info.flag_bits & _UTF8
            times = _dos_time(info)
            attrs = (
                info.create_version,
                info.create_system,
                info.internal_attr,
                info.external_attr,
            )
        else:
            content = replaced[name]
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            raw = compressor.compress(content) + compressor.flush()
            method, crc, size = zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content)
            flags = _UTF8 if not name.isascii() else 0
            times = _dos_time(info) if info is not None else (0, 33)  # 1980-01-01
            attrs = (
                (20, 0, 0, 0)
                if info is None
                else (
                    info.create_version,
                    info.create_system,
                    info.internal_attr,
                    info.external_attr,
                )
            )
        if max(len(raw), size, offset) >= 0xFFFFFFFF:
            raise PackageError("the workbook is too large for sheetsync to rewrite (zip64)")
        out.write(
            _LOCAL.pack(
                b"PK\x03\x04", 20, 0, flags, method, *times, crc, len(raw), size, len(encoded), 0
            )
        )
        out.write(encoded)
        out.write(raw)
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                attrs[0],
                attrs[1],
                20,
                0,
                flags,
                method,
                *times,
                crc,
                len(raw),
                size,
                len(encoded),
                0,
                0,
                0,
                attrs[2],
                attrs[3],
                offset,
            )
            + encoded
        )
        offset += _LOCAL.size + len(encoded) + len(raw)
    directory = b"".join(central)
    out.write(directory)
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0))


def _raw(package: Package, info: zipfile.ZipInfo) -> bytes:
    """A member's compressed bytes, straight from the package."""
    data = package.data
    start = info.header_offset
    if data[start : start + 4] != b"PK\x03\x04":
        raise PackageError(f"broken zip entry {info.filename}")
    name_len, extra_len = struct.unpack_from("<2H", data, start + 26)
    begin = start + 30 + name_len + extra_len
    raw = data[begin : begin + info.compress_size]
    if len(raw) != info.compress_size:
        raise PackageError(f"truncated zip entry {info.filename}")
    return raw
