"""realto_sync: the blocking facade of realto_async.

The generated ``RealtoClient`` arrives with its own issue; until then this package re-exports
the error and model types, which are the very objects of :mod:`realto_async`.
"""

from realto_async import errors, models

__all__ = ["errors", "models"]
