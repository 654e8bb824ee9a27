"""mkdocs hook: docstrings written for Sphinx say ``:class:`Page```; Markdown renders that as the
role's name followed by code. Show just the code, on every page and in the search index."""

from __future__ import annotations

import re
from typing import Any

ROLE_BEFORE_CODE = re.compile(r":(?:class|func|meth|attr|exc|mod|data|obj|py:\w+):(?=<code\b)")


def strip_roles(html: str) -> str:
    return ROLE_BEFORE_CODE.sub("", html)


def on_page_content(html: str, **kwargs: Any) -> str:
    return strip_roles(html)
