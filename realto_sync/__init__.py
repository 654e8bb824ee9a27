"""realto_sync: the blocking facade of realto_async, for scripts, notebooks and threads.

``from realto_sync import RealtoClient`` has every call of ``realto_async.AsyncRealtoClient``
without ``await``. Each client runs the same coroutines on its own event loop, which the
calling thread runs for the length of each call.
Models and errors are realto_async's very objects.
"""

from realto_async import __version__

from ._generated import *  # noqa: F403 - the generated module's __all__ is this package's
from ._generated import __all__ as _generated_all

__all__ = ["__version__", *_generated_all]
