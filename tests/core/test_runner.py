"""The stage runner with fake stages: skip, re-run, invalidation, failure, staging. Milliseconds."""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import ClassVar

import pytest
from pydantic import BaseModel

from curation.config import Settings
from curation.errors import StageFailed
from curation.pipeline import Stage, StageContext, connect, run_stage, stale_reason
from curation.records import Artifact, VideoRef
from curation.store import Store

VIDEO = VideoRef("v1", "http://127.0.0.1:9/v1.mp4")


class Numbers(Artifact):
    stored_as: ClassVar[str] = "numbers.json"
    values: list[int]
    image: str = ""

    def files(self) -> list[str]:
        return [self.image] if self.image else []


class Total(Artifact):
    stored_as: ClassVar[str] = "total.json"
    total: int


class Calls(BaseModel):
    numbers: int = 0
    total: int = 0


def make_graph(calls: Calls, fail_total: list[bool]) -> dict[str, Stage]:
    def numbers(ctx: StageContext) -> Numbers:
        calls.numbers += 1
        (ctx.workdir / "pictures").mkdir()
        (ctx.workdir / "pictures" / "one.txt").write_text(f"run {calls.numbers}")
        ctx.report(count=3)
        return Numbers(values=[1, 2, int(ctx.settings.align.lead_s * 3)], image="pictures/one.txt")

    def total(numbers: Numbers, ctx: StageContext) -> Total:
        calls.total += 1
        if fail_total and fail_total[0]:
            raise ConnectionError("endpoint unreachable")
        return Total(total=sum(numbers.values))

    return connect(
        Stage("numbers", (), Numbers, numbers, lambda s: (s.align,), owns=("pictures",)),
        Stage("total", (Numbers,), Total, total, lambda s: (s.text,)),
    )


@pytest.fixture()
def setup(tmp_path):
    calls, fail = Calls(), [False]
    return Store(tmp_path / "data"), make_graph(calls, fail), calls, fail


def run_all(store, graph, settings=None):
    return [run_stage(stage, store, VIDEO, settings or Settings())[1] for stage in graph.values()]


def test_the_graph_orders_stages_by_the_records_they_read(setup):
    _, graph, _, _ = setup
    assert graph["total"].after == ("numbers",)
    with pytest.raises(ValueError, match="reads Total, which no stage writes"):
        connect(Stage("lonely", (Total,), Numbers, lambda t, c: None, lambda s: ()))


def test_a_current_stage_is_skipped_and_its_metrics_kept(setup):
    store, graph, calls, _ = setup
    assert run_all(store, graph) == [True, True]
    assert run_all(store, graph) == [False, False]
    assert (calls.numbers, calls.total) == (1, 1)
    assert store.load("v1", Total).total == 6
    assert store.statuses("v1")["numbers"].metrics == {"count": 3.0}
    assert (store.local_path(store.video_path("v1", "pictures/one.txt"))).read_text() == "run 1"


def test_a_settings_change_reruns_the_stage_and_everything_after_it(setup):
    store, graph, calls, _ = setup
    run_all(store, graph)
    assert run_all(store, graph, Settings(text={"chunk_sentences": 3})) == [False, True]
    assert run_all(store, graph, Settings(align={"lead_s": 0})) == [True, True]
    assert store.load("v1", Total).total == 3
    assert (calls.numbers, calls.total) == (2, 3)


@pytest.mark.parametrize("damage", ["{}", '{"values": [1, 2', "", None])
def test_an_invalid_or_missing_artifact_is_not_current(setup, damage):
    store, graph, calls, _ = setup
    run_all(store, graph)
    path = store.local_path(store.video_path("v1", "numbers.json"))
    if damage is None:
        path.unlink()
    else:
        path.write_text(damage)
    assert stale_reason(store, "v1", graph["numbers"], Settings()) is not None
    assert run_all(store, graph) == [True, False]
    assert calls.numbers == 2


def test_a_missing_side_file_makes_the_artifact_stale(setup):
    store, graph, calls, _ = setup
    run_all(store, graph)
    store.local_path(store.video_path("v1", "pictures/one.txt")).unlink()
    assert "missing" in stale_reason(store, "v1", graph["numbers"], Settings())
    assert run_all(store, graph)[0]


def test_a_garbage_status_file_counts_as_not_run(setup):
    store, graph, _, _ = setup
    run_all(store, graph)
    store.local_path(store.status_path("v1", "numbers")).write_text("garbage{")
    assert stale_reason(store, "v1", graph["numbers"], Settings()) == "not run"
    assert run_all(store, graph) == [True, False]


def test_a_failed_rerun_keeps_the_old_output_and_records_the_reason(setup):
    store, graph, _, fail = setup
    run_all(store, graph)
    fail[0] = True
    with pytest.raises(StageFailed, match="ConnectionError: endpoint unreachable"):
        run_all(store, graph, Settings(text={"chunk_sentences": 3}))
    status = store.statuses("v1")["total"]
    assert status.state == "failed" and "endpoint unreachable" in status.reason
    assert store.load("v1", Total).total == 6, "the old record is untouched"
    assert stale_reason(store, "v1", graph["total"], Settings()).startswith("failed")


def test_a_failing_stage_leaves_the_previous_side_files(setup):
    store, graph, _, _ = setup
    run_all(store, graph)
    broken = replace(graph["numbers"], run=lambda ctx: 1 / 0)
    with pytest.raises(StageFailed, match="ZeroDivisionError"):
        run_stage(broken, store, VIDEO, Settings(align={"lead_s": 0}))
    folder = store.local_path(store.video_dir("v1"))
    assert (folder / "pictures" / "one.txt").read_text() == "run 1"
    assert not [p for p in folder.iterdir() if p.name.startswith(".staging")], "staging is cleaned up"


def test_a_stage_never_runs_before_its_inputs(setup):
    store, graph, calls, _ = setup
    with pytest.raises(StageFailed, match="input stage 'numbers' has not finished"):
        run_stage(graph["total"], store, VIDEO, Settings())
    assert calls.total == 0


def test_a_stage_returning_the_wrong_record_fails(setup):
    store, graph, _, _ = setup
    wrong = replace(graph["numbers"], run=lambda ctx: Total(total=1))
    with pytest.raises(StageFailed, match="returned Total, not Numbers"):
        run_stage(wrong, store, VIDEO, Settings())


def test_two_runs_at_once_do_the_work_once(setup):
    store, graph, calls, _ = setup
    slow = replace(graph["numbers"], run=lambda ctx: (time.sleep(0.3), graph["numbers"].run(ctx))[1])
    with ThreadPoolExecutor(2) as pool:
        ran = list(pool.map(lambda _: run_stage(slow, store, VIDEO, Settings())[1], range(2)))
    assert sorted(ran) == [False, True]
    assert calls.numbers == 1


def test_stage_errors_survive_a_trip_to_another_process():
    import pickle

    from curation.errors import InvalidArtifact

    failed = pickle.loads(pickle.dumps(StageFailed("v1", "asr", "no speech", transient=True)))
    assert (failed.video_id, failed.stage, failed.reason, failed.transient) == ("v1", "asr", "no speech", True)
    invalid = pickle.loads(pickle.dumps(InvalidArtifact("videos/v1/info.json", "missing")))
    assert str(invalid) == "videos/v1/info.json: missing"
