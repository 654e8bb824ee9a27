"""run_on_dask on LocalCluster(n_workers=2, processes=True) against the emulator in its own
process: the same records as one process, exactly once after a worker is killed mid-shard, a
re-run that does nothing, and credentials shown nowhere."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import traceback
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from realto_async.bulk.dask import DaskBulkResult, DaskShardError, run_on_dask
from realto_async.errors import InvalidCredentialsError

from .dask_helpers import END, START, Setup, cluster_setup, single_process_rows

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def setup() -> Iterator[Setup]:
    with cluster_setup() as ready:
        yield ready


@pytest.fixture(scope="module")
def expected(setup: Setup) -> list[dict[str, Any]]:
    return single_process_rows(setup.options, "readings")


def ids_of(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["id"].astype(str))


def test_output_equals_a_single_process_run(
    setup: Setup, expected: list[dict[str, Any]], tmp_path: Path
) -> None:
    result = run_on_dask(
        setup.dask, "readings", start=START, end=END, client_options=setup.options,
        state_dir=tmp_path / "state", output=tmp_path / "out", shards=5,
    )  # fmt: skip
    assert result.report.ok
    assert result.report.entities_done == 12
    assert result.report.records == len(expected) > 1000
    assert len(result.files) == len(result.shards) <= 5
    frame = result.to_dask_dataframe().compute()
    assert ids_of(frame) == sorted(row["id"] for row in expected)
    assert not Counter(frame["id"]).most_common(1)[0][1] > 1
    by_id = {row["id"]: row for row in expected}
    for row in frame.head(50).to_dict("records"):
        want = by_id[row["id"]]
        assert row["entity_id"] == want["entity_id"]
        assert pd.Timestamp(row["measured"]) == pd.Timestamp(want["measured"])
        assert row["extras"] == want["extras"]
    # Each entity's records sit in one shard's file only.
    owners = {path: set(pd.read_parquet(path)["entity_id"]) for path in result.files}
    seen: list[str] = [entity for entities in owners.values() for entity in entities]
    assert len(seen) == len(set(seen)) == 12

    again = run_on_dask(
        setup.dask, "readings", start=START, end=END, client_options=setup.options,
        state_dir=tmp_path / "state", output=tmp_path / "out",
    )  # fmt: skip
    assert again.report.requests == 0
    assert again.report.records == result.report.records == len(frame)  # what the files hold
    assert again.report.entities_done == result.report.entities_done
    assert again.shards_finished_before == len(result.shards)
    assert again.files == result.files
    assert ids_of(again.to_dask_dataframe().compute()) == ids_of(frame)


def test_without_output_the_records_come_back_listed_by_type(setup: Setup, tmp_path: Path) -> None:
    result = run_on_dask(
        setup.dask, "charge_sessions", entity_type="EV", start=START, end=END,
        client_options=setup.options, concurrency=3, rate=200,
    )  # fmt: skip
    expected = single_process_rows(setup.options, "charge_sessions")
    assert result.files == ()
    assert result.report.ok
    assert result.report.records == len(expected) > 0
    frame = result.to_dask_dataframe().compute()
    assert ids_of(frame) == sorted(row["id"] for row in expected)


def _running_realto_worker(setup: Setup) -> str | None:
    for worker, keys in setup.dask.processing().items():
        if any(str(key).startswith("realto-") for key in keys):
            return str(worker)
    return None


def _scheduler_views(setup: Setup) -> str:
    """What the scheduler and its dashboard show of the run's tasks now."""

    def tasks(dask_scheduler: Any) -> list[str]:
        return [
            f"{ts!r} {ts.run_spec!r} {getattr(ts.run_spec, 'args', '')!r} {ts.exception_text}"
            for key, ts in dask_scheduler.tasks.items()
            if str(key).startswith("realto-")
        ]

    views = setup.dask.run_on_scheduler(tasks)
    pages = []
    names = setup.dask.run_on_scheduler(lambda dask_scheduler: [str(key) for key in dask_scheduler.tasks])
    for name in names:
        url = f"{setup.dashboard}/info/task/{urllib.parse.quote(name)}.html"
        with urllib.request.urlopen(url, timeout=10) as page:
            pages.append(page.read().decode())
    with urllib.request.urlopen(f"{setup.dashboard}/info/main/workers.html", timeout=10) as page:
        pages.append(page.read().decode())
    return "\n".join([*views, *pages])


def test_a_worker_killed_mid_shard_is_retried_and_every_record_is_written_once(
    setup: Setup, expected: list[dict[str, Any]], tmp_path: Path
) -> None:
    outcome: list[DaskBulkResult | BaseException] = []

    arguments: dict[str, Any] = {
        "start": START, "end": END, "client_options": setup.options, "state_dir": tmp_path / "state",
        "output": tmp_path / "out", "shards": 4, "rate": 40,
    }  # fmt: skip

    def run() -> None:
        try:
            outcome.append(run_on_dask(setup.dask, "readings", **arguments))
        except BaseException as err:
            outcome.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    state = tmp_path / "state" / "readings"
    deadline = time.monotonic() + 60
    victim = None
    while victim is None and time.monotonic() < deadline:
        time.sleep(0.1)
        if list(state.glob("shard-*.parts/*.jsonl")):  # a shard is part way through
            victim = _running_realto_worker(setup)
    assert victim is not None, "no shard was seen running"
    views = _scheduler_views(setup)
    assert "realto shard" in views  # the views do show the tasks...
    [pid] = setup.dask.run(os.getpid, workers=[victim]).values()
    unfinished = {path.name for path in state.glob("shard-*.parts")} - {
        path.name.replace(".done.json", ".parts") for path in state.glob("*.done.json")
    }
    os.kill(pid, signal.SIGKILL)
    thread.join(120)
    assert not thread.is_alive()
    [result] = outcome
    assert isinstance(result, DaskBulkResult), result
    assert result.report.ok
    assert unfinished  # the kill hit a shard part way through...
    for name in unfinished:  # ...which was run again to the end
        assert (state / name.replace(".parts", ".done.json")).exists()
    frame = result.to_dask_dataframe().compute()
    assert ids_of(frame) == sorted(row["id"] for row in expected)
    assert frame["id"].is_unique
    # The report counts what the output holds, the killed attempt's records included.
    assert result.report.records == len(frame) == len(expected)
    assert sum(shard.report.records for shard in result.shards) == len(frame)

    secret = setup.emulator.client_secret
    logs = json.dumps([setup.dask.get_scheduler_logs(), setup.dask.get_worker_logs()], default=str)
    assert secret not in views  # ...but never the credentials
    assert setup.emulator.client_id not in views
    assert secret not in logs


def test_wrong_credentials_fail_with_a_typed_error_that_shows_no_secret(setup: Setup, tmp_path: Path) -> None:
    wrong = "not-the-secret-" + os.urandom(8).hex()
    options = setup.options | {"client_secret": wrong}
    entity_ids = [row["entity_id"] for row in single_process_rows(setup.options, "readings")[:1]]
    result = run_on_dask(
        setup.dask, "readings", entity_ids=entity_ids, start=START, end=END,
        client_options=options, retries=0, output=tmp_path,
    )  # fmt: skip
    assert not result.report.ok
    assert list(result.report.failed) == entity_ids
    [error] = result.report.failed.values()
    assert isinstance(error, InvalidCredentialsError)
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    assert "credentials" in text.lower()
    assert wrong not in text
    assert wrong not in repr(result)
    logs = json.dumps([setup.dask.get_scheduler_logs(), setup.dask.get_worker_logs()], default=str)
    assert wrong not in logs


def test_a_shard_failing_on_every_try_raises_a_typed_error(setup: Setup, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    entity_ids = sorted({row["entity_id"] for row in single_process_rows(setup.options, "readings")})[:2]
    with pytest.raises(
        DaskShardError, match=r"realto shard 1/1 of readings: 2 entities.*failed on every try"
    ) as caught:
        run_on_dask(
            setup.dask, "readings", entity_ids=entity_ids, start=START, end=END, shards=1,
            client_options=setup.options, output=blocked, retries=1,
        )  # fmt: skip
    assert "run again with the same state_dir" in str(caught.value)
    assert setup.emulator.client_secret not in "".join(traceback.format_exception(caught.value))
