"""``sheetsync report``: a picture of the network, as one HTML page or a PNG.

An output adapter: it turns :class:`ReportData` (plain data, filled from an
analysed sheet and its History tab by :func:`report_data_from_analysis`) into
a self-contained page (:func:`render_html`), one PNG image (:func:`render_png`)
and a small picture for the morning digest (:func:`digest_picture`).

Importing this package does not import matplotlib; drawing does.
"""

from __future__ import annotations

from typing import Any

from ..errors import SheetsyncError
from .data import (
    DraftEntry,
    HistoryEntry,
    NewlyLapsed,
    Person,
    ReportData,
    UpcomingDate,
    report_data_from_analysis,
)

__all__ = [
    "DraftEntry",
    "HistoryEntry",
    "NewlyLapsed",
    "Person",
    "ReportData",
    "UpcomingDate",
    "digest_picture",
    "render_html",
    "render_png",
    "report_data_from_analysis",
]


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise SheetsyncError(
            "sheetsync report draws its charts with matplotlib, which is not installed; "
            "install it with: pip install 'sheetsync[report]'"
        ) from None


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page (no script, no network)."""
    _require_matplotlib()
    from .page import render_html as render

    return render(data)


def render_png(data: ReportData, path: Any = None) -> bytes:
    """The report's charts as one PNG; written to ``path`` (a path or binary file) if given."""
    _require_matplotlib()
    from .charts import render_png as render

    return render(data, path)


def digest_picture(data: ReportData) -> tuple[bytes, str]:
    """A small PNG for the morning digest and its text alternative.

    The text says the counts and the dates coming up, so the digest reads the
    same without images.
    """
    _require_matplotlib()
    from .charts import digest_png
    from .page import alt_text

    return digest_png(data), alt_text(data)
