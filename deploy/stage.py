#!/usr/bin/env python3
"""Build the folder that Google Cloud builds from: a function, or a Cloud Run job image.

    python3 deploy/stage.py function build/function [--include sheetsync.toml ...]
    python3 deploy/stage.py job build/job --manifest path/to/sheets.toml

Both copy the sheetsync package (with the default templates) and write a
requirements.txt from pyproject.toml.  ``function`` adds ``main.py``, which
exposes the entry point ``sheetsync_http``; ``job`` adds a Dockerfile and the
manifest's folder (the manifest and every config it names).  ``--include``
copies more files or folders (a config file, your templates) beside them.
Nothing here talks to Google: deploy/README.md has the gcloud commands.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache")

MAIN_PY = '''\
"""Cloud Functions loads this file; the entry point is sheetsync_http (see deploy/README.md)."""

from sheetsync.unattended.cloud import sheetsync_http

__all__ = ["sheetsync_http"]
'''

DOCKERFILE = """\
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY sheetsync/ sheetsync/
COPY sheets/ sheets/
# Cloud Run sets CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT: each task runs its own share.
ENTRYPOINT ["python", "-m", "sheetsync"]
CMD ["run", "--manifest", "sheets/{manifest}", "--log-format", "json"]
"""


def requirements(extras: tuple[str, ...]) -> str:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = list(project["dependencies"])
    for extra in extras:
        deps += project.get("optional-dependencies", {}).get(extra, [])
    return "\n".join(dict.fromkeys(deps)) + "\n"


def copy_package(out: Path) -> None:
    shutil.copytree(REPO / "sheetsync", out / "sheetsync", ignore=IGNORE)
    templates = out / "sheetsync" / "templates"
    if not templates.exists():
        shutil.copytree(REPO / "templates", templates, ignore=IGNORE)


def include(out: Path, paths: Sequence[str]) -> None:
    for name in paths:
        src = Path(name).expanduser().resolve()
        if src.is_dir():
            shutil.copytree(src, out / src.name, ignore=IGNORE)
        elif src.is_file():
            shutil.copy2(src, out / src.name)
        else:
            sys.exit(f"stage.py: nothing at {name} to include")


def stage(kind: str, out: Path, *, manifest: str | None = None, extra: Sequence[str] = ()) -> Path:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        sys.exit(f"stage.py: {out} exists and is not empty; give a new folder")
    out.mkdir(parents=True, exist_ok=True)
    copy_package(out)
    if kind == "function":
        (out / "main.py").write_text(MAIN_PY, encoding="utf-8")
        (out / "requirements.txt").write_text(requirements(("cloud",)), encoding="utf-8")
    else:
        if not manifest:
            sys.exit("stage.py: a job needs --manifest FILE")
        source = Path(manifest).expanduser().resolve()
        shutil.copytree(source.parent, out / "sheets", ignore=IGNORE)
        (out / "Dockerfile").write_text(DOCKERFILE.format(manifest=source.name), encoding="utf-8")
        (out / "requirements.txt").write_text(requirements(()), encoding="utf-8")
    include(out, extra)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("function", "job"))
    parser.add_argument("out", help="a new, empty folder to build")
    parser.add_argument("--manifest", help="for a job: the manifest (its whole folder is copied)")
    parser.add_argument("--include", action="append", default=[], help="more files or folders")
    args = parser.parse_args(argv)
    out = stage(args.kind, Path(args.out), manifest=args.manifest, extra=args.include)
    print(f"Staged a {args.kind} in {out}. Next: see deploy/README.md.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
