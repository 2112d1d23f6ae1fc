"""Reading templates from disk: the user's folder, falling back to the built-in ones.

A folder of your own only needs the templates you change; any other name is
taken from the templates that ship with sheetsync.  The pure
:class:`~sheetsync.core.drafting.TemplateSet` compiles and renders them.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .core.drafting import TEMPLATE_SUFFIX, TemplateSet, TemplateSource
from .errors import TemplateError


def builtin_templates_dir() -> Path:
    """The default templates: inside the installed package, or templates/ in a checkout."""
    packaged = Path(str(resources.files("sheetsync"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def load_templates(folder: Path | None = None) -> TemplateSet:
    """The templates of ``folder`` (default: the built-in ones), built-ins filling the gaps."""
    folder = folder or builtin_templates_dir()
    if not folder.is_dir():
        raise TemplateError(
            f"Template folder {folder} does not exist. Create it, or point "
            "[templates] folder in sheetsync.toml at the folder that holds your .j2 files."
        )
    sources: dict[str, TemplateSource] = {}
    builtin = builtin_templates_dir()
    folders = [folder] + ([builtin] if builtin.resolve() != folder.resolve() else [])
    for where in reversed(folders):  # the user's folder last, so its templates win
        for path in sorted(where.glob(f"*{TEMPLATE_SUFFIX}")):
            name = path.name[: -len(TEMPLATE_SUFFIX)]
            try:
                sources[name] = TemplateSource(path.read_text(encoding="utf-8"), str(path))
            except (OSError, UnicodeDecodeError) as exc:
                problem = f"{path}: cannot be read ({exc}); save it as UTF-8 text."
                sources[name] = TemplateSource("", str(path), error=problem)
    return TemplateSet(sources, folder=str(folder))


__all__ = ["builtin_templates_dir", "load_templates"]
