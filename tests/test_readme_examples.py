"""Every example in README.md runs: its dates parse, its durations parse, and every
``sheetsync`` command line in it is one the parser accepts."""

from __future__ import annotations

import re
import shlex

import pytest

from sheetsync.cli.main import build_parser
from sheetsync.core.dates import parse_date
from sheetsync.unattended.scheduler import parse_every

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? "
DATED = re.compile(
    rf"(?:{_DAY})?\b\d{{1,2}} {_MONTH} \d{{4}}"  # Sat 14 Mar 2026, 14 March 2026
    rf"|(?:{_DAY})?\b{_MONTH} \d{{1,2}}, \d{{4}}"  # March 14, 2026
    r"|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"  # 3/14/2026, 14.03.2026, 3/14/26
    r"|\b\d{4}-\d{2}-\d{2}\b(?![T:\d])"  # 2026-03-14, not a log line's timestamp
)


def _dated_examples() -> list[str]:
    return sorted({m.group(0) for m in DATED.finditer(README)})


def test_the_readme_has_dated_examples_to_check() -> None:
    found = _dated_examples()
    assert len(found) >= 8, found
    assert any(re.match(_DAY, d) for d in found), "the weekday form is among them"


@pytest.mark.parametrize("text", _dated_examples())
def test_every_dated_example_parses(text: str) -> None:
    assert parse_date(text) is not None


def _sheetsync_lines() -> list[str]:
    """Command lines in shell code blocks, and in inline code that gives a flag or argument
    (a bare `sheetsync import`, or one in a heading, names a command: not an example)."""
    lines, fence = [], None
    for line in README.splitlines():
        if line.startswith("```"):
            fence = None if fence is not None else line[3:].strip()
        elif fence in ("sh", "bash", "console", "") and line.strip().startswith("sheetsync "):
            lines.append(line.strip())
    prose = "\n".join(line for line in README.splitlines() if not line.startswith("#"))
    lines += [s for s in re.findall(r"`(sheetsync [^`]+)`", prose) if len(s.split()) > 2]
    return lines


@pytest.mark.parametrize("line", _sheetsync_lines())
def test_every_command_line_is_one_the_parser_accepts(line: str) -> None:
    line = re.sub(r"(\w+)\|\w+", r"\1", line)  # "text|json" in prose: either one
    words = shlex.split(line, comments=True)
    words = [re.sub(r"^[A-Z][A-Z_]*$", "x", w) for w in words]  # NAME, FILE: placeholders
    ends = [i for i, w in enumerate(words) if w in ("|", ">", ">>", "&&")]
    words = words[: ends[0]] if ends else words
    try:
        build_parser().parse_args(words[1:])
    except SystemExit as done:  # --help
        assert done.code == 0


def _durations() -> list[str]:
    found = re.findall(r'--every "([^"]+)"', README)
    found += re.findall(r'every = "([^"]+)"', README)
    return sorted(set(found))


@pytest.mark.parametrize("text", _durations())
def test_every_interval_example_parses(text: str) -> None:
    assert parse_every(text, "README") > parse_every("1 second", "x") * 0
