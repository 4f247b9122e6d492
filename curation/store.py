"""The artifact store: one folder per video, one file per stage output, atomic writes.

Paths go through fsspec so the data root may be a local folder or object storage
(`s3://bucket/prefix`, `gs://...`, `memory://...`). On a local disk an artifact is written
to a temporary name and renamed into place; object stores make a single put atomic already.
"""

from __future__ import annotations

import json
import os
import posixpath
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import fsspec
from fsspec.implementations.local import LocalFileSystem
from pydantic import BaseModel

from curation.records import StageStatus

M = TypeVar("M", bound=BaseModel)

STATUS_DIR = "status"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    def __init__(self, root: str | Path):
        self.fs, root_path = fsspec.core.url_to_fs(str(root))
        self.is_local = isinstance(self.fs, LocalFileSystem)
        self.root = root_path
        self.fs.makedirs(self.root, exist_ok=True)

    # ---- paths -------------------------------------------------------------
    def join(self, *parts: str) -> str:
        return posixpath.join(self.root, *parts)

    def video_dir(self, video_id: str) -> str:
        return self.join("videos", video_id)

    def video_path(self, video_id: str, *names: str) -> str:
        return posixpath.join(self.video_dir(video_id), *names)

    def dataset_dir(self, name: str, version: str | None = None) -> str:
        return self.join("datasets", name, *([version] if version else []))

    def local_path(self, path: str) -> Path:
        """A real filesystem path, for tools (ffmpeg, cv2) that cannot read fsspec URLs."""
        if not self.is_local:
            raise ValueError(f"{path} is on {type(self.fs).__name__}; this step needs a local data root")
        return Path(path)

    def video_ids(self) -> list[str]:
        base = self.join("videos")
        if not self.fs.exists(base):
            return []
        return sorted(posixpath.basename(p.rstrip("/")) for p in self.fs.ls(base, detail=False))

    # ---- atomic writes -----------------------------------------------------
    def write_bytes(self, path: str, data: bytes) -> None:
        parent = posixpath.dirname(path)
        self.fs.makedirs(parent, exist_ok=True)
        if not self.is_local:
            self.fs.pipe_file(path, data)
            return
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; artifacts are meant to be shared
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def write_text(self, path: str, text: str) -> None:
        self.write_bytes(path, text.encode())

    def write_json(self, path: str, obj: BaseModel | dict | list) -> None:
        if isinstance(obj, BaseModel):
            text = obj.model_dump_json(indent=1)
        else:
            text = json.dumps(obj, indent=1, default=str)
        self.write_text(path, text)

    def write_jsonl(self, path: str, rows: list[BaseModel]) -> None:
        self.write_text(path, "".join(r.model_dump_json() + "\n" for r in rows))

    # ---- reads ---------------------------------------------------------------
    def exists(self, path: str) -> bool:
        return self.fs.exists(path)

    def read_bytes(self, path: str) -> bytes:
        return self.fs.cat_file(path)

    def read_json(self, path: str):
        return json.loads(self.read_bytes(path))

    def read_model(self, path: str, cls: type[M]) -> M:
        return cls.model_validate_json(self.read_bytes(path))

    def read_jsonl(self, path: str, cls: type[M]) -> list[M]:
        lines = self.read_bytes(path).decode().splitlines()
        return [cls.model_validate_json(line) for line in lines if line.strip()]

    def iter_files(self, path: str) -> Iterator[str]:
        if self.fs.exists(path):
            yield from sorted(self.fs.find(path))

    def remove(self, path: str) -> None:
        if self.fs.exists(path):
            self.fs.rm(path, recursive=True)

    # ---- per-video stage status --------------------------------------------
    # One file per stage, so stages of one video that run at once never race on a shared file.
    def statuses(self, video_id: str) -> dict[str, StageStatus]:
        folder = self.video_path(video_id, STATUS_DIR)
        return {
            posixpath.basename(path).removesuffix(".json"): self.read_model(path, StageStatus)
            for path in self.iter_files(folder)
            if path.endswith(".json")
        }

    def set_status(self, video_id: str, stage: str, status: StageStatus) -> None:
        self.write_json(self.video_path(video_id, STATUS_DIR, f"{stage}.json"), status)
