"""The Jinja2 environment: autoescaping on, templates from the top-level templates/ folder
(shipped inside the package as archiver/templates), with an optional override folder."""
from __future__ import annotations

import functools
from pathlib import Path

import jinja2


def templates_dir() -> Path:
    """templates/ next to the package in a checkout, or archiver/templates when installed."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "templates", here / "templates"):
        if candidate.is_dir():
            return candidate
    try:  # an editable install maps the archiver.templates package onto templates/
        import archiver.templates as pkg
        return Path(next(iter(pkg.__path__)))
    except (ImportError, StopIteration):
        raise FileNotFoundError("archiver's templates folder is missing") from None


@functools.cache
def environment(override_dir: str | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override_dir:
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(jinja2.FileSystemLoader(str(templates_dir())))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    return env
