"""The consumer proof: open_clip's own training entry point trains on a built version, on CPU."""

import json
import subprocess
import sys

import pytest

from curation.config import Settings
from curation.export.build import build_version
from tests.export.conftest import VIDEOS, mixed_seed, version_dir

# A CLIP small enough to train a few steps on two cores in seconds; random init, no weights.
TINY_CLIP = {
    "model_cfg": {
        "embed_dim": 32,
        "vision_cfg": {"image_size": 32, "layers": 2, "width": 64, "patch_size": 8, "head_width": 32},
        "text_cfg": {"context_length": 32, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
    },
    "preprocess_cfg": {},
}


@pytest.fixture
def version(store):
    settings = Settings(export={"val_fraction": 0.3, "seed": mixed_seed(VIDEOS, 0.3), "shard_size": 2})
    record = build_version(store, settings)
    assert record.counts["train_pairs"] >= 4 and record.counts["val_pairs"] >= 1
    return record, version_dir(store, record)


def train(tmp_path, name: str, data_args: list[str]) -> dict:
    model = tmp_path / "tiny-clip"
    model.mkdir(exist_ok=True)
    (model / "open_clip_config.json").write_text(json.dumps(TINY_CLIP))
    logs = tmp_path / "logs"
    result = subprocess.run(
        [sys.executable, "-m", "open_clip_train.main", "--model", f"local-dir:{model}", *data_args,
         "--batch-size", "2", "--epochs", "1", "--workers", "0", "--lr", "1e-3", "--warmup", "1",
         "--precision", "fp32", "--device", "cpu", "--seed", "0", "--log-every-n-steps", "1",
         "--logs", str(logs), "--name", name],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    run = logs / name
    assert result.returncode == 0, result.stderr[-3000:]
    assert (run / "checkpoints" / "epoch_1.pt").stat().st_size > 0
    log = (run / "out.log").read_text()
    assert "Train Epoch: 0" in log and "Contrastive_loss" in log
    return json.loads((run / "checkpoints" / "results.jsonl").read_text().splitlines()[-1])


def test_open_clip_trains_on_the_csv(tmp_path, version):
    record, folder = version
    results = train(tmp_path, "csv", [
        "--dataset-type", "csv", "--csv-img-key", "filepath", "--csv-caption-key", "title", "--csv-separator", "\t",
        "--train-data", str(folder / "train.csv"), "--val-data", str(folder / "val.csv"),
    ])
    assert results["num_samples"] == record.counts["val_pairs"]


def shard_urls(folder, split: str) -> str:
    """All shards of a split in webdataset's brace notation, e.g. .../train/{00000..00003}.tar."""
    names = sorted(p.stem for p in (folder / "shards" / split).glob("*.tar"))
    return str(folder / "shards" / split / f"{{{names[0]}..{names[-1]}}}.tar")


def test_open_clip_trains_on_the_webdataset_shards(tmp_path, version):
    record, folder = version
    assert len(list((folder / "shards" / "train").glob("*.tar"))) > 1
    results = train(tmp_path, "wds", [
        "--dataset-type", "webdataset",
        "--train-data", shard_urls(folder, "train"), "--train-num-samples", str(record.counts["train_pairs"]),
        "--val-data", shard_urls(folder, "val"), "--val-num-samples", str(record.counts["val_pairs"]),
    ])
    assert results["num_samples"] == record.counts["val_pairs"]
