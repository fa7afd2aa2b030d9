"""`forum_url`: url_for for the links a page repeats per post or per thread, built once per shape (#19).

A thread page of 50 posts asked Werkzeug's URL map for about 230 URLs (permalinks, quote, report,
edit, delete... per post), a tenth of the page's time. The shape of a URL does not change with the
ids in it, so the first call for an endpoint and a set of argument names builds it with stand-in
values, and every later call puts the real values in their places. Only values that appear in a URL
as they are (integers, and strings of letters, digits, `-`, `_` and `.`) take the fast way; any
other call is url_for's. The shapes are kept per app and per script root (a host app may mount the
forum under different prefixes).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Flask, url_for
from flask.globals import _cv_request

_PLAIN = re.compile(r"[A-Za-z0-9_.-]+")
_STAND_IN = "9{n}7531902468"  # digits only, so that any converter takes it; never a real id


def _stand_in(n: int) -> str:
    return _STAND_IN.format(n=n)


def forum_url(endpoint: str, _anchor: str | None = None, **values) -> str:
    """url_for(endpoint, **values), from a shape built once; `_anchor` as url_for takes it."""
    ctx = _cv_request.get(None)
    if ctx is None or endpoint[0] == "." or not all(map(_plain, values.values())):
        return url_for(endpoint, _anchor=_anchor, **values)
    names = tuple(sorted(values))
    try:
        shapes = ctx.app.extensions["forum_url_shapes"]
    except KeyError:
        shapes = ctx.app.extensions["forum_url_shapes"] = {}
    key = (ctx.request.root_path, endpoint, names)
    shape = shapes.get(key)
    if shape is None:
        stand_ins = {name: int(_stand_in(n)) for n, name in enumerate(names)}
        built = url_for(endpoint, **stand_ins)
        if any(built.count(_stand_in(n)) != 1 for n in range(len(names))):
            return url_for(endpoint, _anchor=_anchor, **values)
        parts: list[str | int] = []
        rest = 0
        for start, n in sorted((built.index(_stand_in(n)), n) for n in range(len(names))):
            parts += [built[rest:start], n]
            rest = start + len(_stand_in(n))
        parts.append(built[rest:])
        shape = shapes[key] = parts
    url = "".join(part if isinstance(part, str) else str(values[names[part]]) for part in shape)
    return url + "#" + quote(_anchor, safe="%!#$&'()*+,/:;=?@") if _anchor else url  # as url_for quotes it


def _plain(value) -> bool:
    kind = type(value)
    if kind is int:
        return value >= 0
    return kind is str and _PLAIN.fullmatch(value) is not None


def init_app(app: Flask) -> None:
    app.add_template_global(forum_url, "forum_url")
