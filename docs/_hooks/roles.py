"""mkdocs hook: docstrings written for Sphinx say ``:class:`Page``` and end a paragraph with
``::`` before an example; Markdown renders the role's name before the code, and ``::`` as a
paragraph of its own. Show just the code, and drop the lone ``::``, on every page."""

from __future__ import annotations

import re
from typing import Any

ROLE_BEFORE_CODE = re.compile(r":(?:class|func|meth|attr|exc|mod|data|obj|py:\w+):(?=<code\b)")
LITERAL_MARKER = re.compile(r"<p>::</p>\s*")


def strip_roles(html: str) -> str:
    return LITERAL_MARKER.sub("", ROLE_BEFORE_CODE.sub("", html))


def on_page_content(html: str, **kwargs: Any) -> str:
    return strip_roles(html)
