import pyarrow.parquet as pq
from typer.testing import CliRunner

from curation.export.cli import app
from curation.export.versions import read_version, version_names
from tests.export.conftest import VIDEOS

runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_build_list_diff_and_purge_from_the_command_line(store, tmp_path):
    data = str(store.root)
    takedown = tmp_path / "takedown.csv"
    takedown.write_text("video_id,reason\n")
    out = invoke("build", "--data", data, "--takedown", str(takedown))
    assert "histo-pairs v0001" in out
    out = invoke("build", "--data", data, "--takedown", str(takedown), "--min-histology-score", "0.2",
                 "--text-types", "med,roi", "--text-types", "raw", "--min-caption-words", "1", "--dedup-hamming", "-1")
    second = read_version(store, "histo-pairs", "v0002")
    first = read_version(store, "histo-pairs", "v0001")
    assert second.counts["pairs"] > first.counts["pairs"]
    rows = pq.read_table(store.local_path(second.path) / "pairs.parquet").to_pylist()
    assert {r["text_type"] for r in rows} == {"med", "roi", "raw"}
    assert min(r["histology_score"] for r in rows) < 0.5

    out = invoke("list", "--data", data)
    assert "v0001 " in out and "v0002*" in out

    out = invoke("diff", "v0001", "v0002", "--data", data, "--ids")
    added = [line[2:] for line in out.splitlines() if line.startswith("+ ")]
    assert len(added) == second.counts["pairs"] - first.counts["pairs"]

    takedown.write_text("video_id,reason\nlec-c,takedown notice\n")
    out = invoke("purge", "--data", data, "--takedown", str(takedown), "--yes")
    assert "lec-c" in out and "still holds lec-c" in out
    invoke("build", "--data", data, "--takedown", str(takedown), "--version", "clean")
    assert version_names(store, "histo-pairs")[-1] == "clean"
    rows = pq.read_table(store.local_path(store.dataset_dir("histo-pairs", "clean")) / "pairs.parquet")
    assert set(rows["video_id"].to_pylist()) == set(VIDEOS) - {"lec-c"}


def test_purge_asks_before_deleting(store, tmp_path):
    takedown = tmp_path / "takedown.csv"
    takedown.write_text("video_id,reason\nlec-a,x\n")
    result = runner.invoke(app, ["purge", "--data", str(store.root), "--takedown", str(takedown)], input="n\n")
    assert result.exit_code == 1
    assert store.exists(store.video_path("lec-a", "video.mp4"))


def test_diff_of_an_unknown_version_fails_clearly(store):
    invoke("build", "--data", str(store.root))
    result = runner.invoke(app, ["diff", "v0001", "v0042", "--data", str(store.root)])
    assert result.exit_code != 0
    assert "no version 'v0042'" in str(result.exception)
