"""Where the templates, static files and migrations are: inside the installed package, or the checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder `name` (templates, static, migrations), wherever this copy of the forum keeps it."""
    bundled = _PACKAGE / name          # a built wheel maps the top-level folders into the package
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / name      # a source checkout or an editable install
