"""Bulk runs sharded over a Dask cluster; the public names live in ``realto_async.bulk.dask``."""
