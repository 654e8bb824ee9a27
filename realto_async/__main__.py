"""``python -m realto_async`` (also the ``realto`` command): the command line in ``realto_async.cli``."""

from __future__ import annotations

import sys

from .cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
