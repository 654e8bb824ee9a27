"""Bulk runs sharded over a Dask cluster (``pip install 'realto[dask]'``)::

    from distributed import Client
    from realto_async.bulk.dask import run_on_dask

    result = run_on_dask(Client("tcp://scheduler:8786"), "readings", entity_type="EV",
                         start=timedelta(days=1), state_dir="/shared/state", output="/shared/out")
    frame = result.to_dask_dataframe()

See :func:`run_on_dask`. Other engines (Ray, Airflow, Prefect) shard the same way with
:func:`split_entities` (a stable hash of the id: an entity keeps its shard as the fleet changes)
and run ``realto ... export --state`` per shard (see the README's "Scale out").
"""

from .._dask._options import ClientOptions
from .._dask._result import DaskBulkResult, ShardResult
from .._dask._run import DaskShardError, run_on_dask
from .._dask._shards import split as split_entities

__all__ = [
    "ClientOptions",
    "DaskBulkResult",
    "DaskShardError",
    "ShardResult",
    "run_on_dask",
    "split_entities",
]
