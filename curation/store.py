"""The artifact store: one folder per video, one file per stage output, atomic writes.

Paths go through fsspec so the data root may be a local folder or object storage
(`s3://bucket/prefix`, `gs://...`, `memory://...`). On a local disk an artifact is written
to a temporary name and renamed into place; object stores make a single put atomic already.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import fsspec
from filelock import FileLock
from fsspec.implementations.local import LocalFileSystem
from pydantic import BaseModel, ValidationError

from curation.errors import InvalidArtifact
from curation.records import Artifact, StageStatus

M = TypeVar("M", bound=BaseModel)
A = TypeVar("A", bound=Artifact)

STATUS_DIR = "status"
LOCKS_DIR = ".locks"
VIDEO_ID = re.compile(r"^(?!\.)[A-Za-z0-9_.-]{1,128}$")  # no leading dot: not ., .., or hidden


def check_video_id(video_id: str) -> str:
    """The id itself, if it names one folder inside `videos/`; `.` and `..` never do."""
    if not VIDEO_ID.match(video_id):
        raise ValueError(
            f"'{video_id}' is not a valid video id: use 1-128 letters, digits, '_', '-' or '.', "
            "not starting with '.'"
        )
    return video_id


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
        return self.join("videos", check_video_id(video_id))

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
        names = (posixpath.basename(p.rstrip("/")) for p in self.fs.ls(base, detail=False))
        return sorted(name for name in names if VIDEO_ID.match(name))

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

    # ---- artifacts: the one record each stage writes --------------------------
    def save(self, video_id: str, record: Artifact) -> None:
        self.write_bytes(self.video_path(video_id, record.stored_as), record.to_bytes())

    def load(self, video_id: str, cls: type[A]) -> A:
        """The validated artifact; InvalidArtifact when it is missing, truncated or malformed."""
        path = self.video_path(video_id, cls.stored_as)
        try:
            data = self.read_bytes(path)
        except FileNotFoundError:
            raise InvalidArtifact(path, "missing") from None
        try:
            return cls.from_bytes(data)
        except (ValidationError, ValueError) as exc:
            raise InvalidArtifact(path, f"not a valid {cls.__name__}: {first_error(exc)}") from None

    def missing_files(self, video_id: str, record: Artifact) -> list[str]:
        return [name for name in record.files() if not self.exists(self.video_path(video_id, name))]

    def replace_entries(self, video_id: str, staging: Path, owned: tuple[str, ...]) -> None:
        """Swap what a stage wrote into `staging` for the entries of the video folder it owns
        (names or globs): old ones it did not write again are removed."""
        folder = self.video_dir(video_id)
        self.fs.makedirs(folder, exist_ok=True)
        new = {p.name: p for p in staging.iterdir()}
        for old in self.fs.ls(folder, detail=False) if self.fs.exists(folder) else []:  # no folders on S3
            name = posixpath.basename(old.rstrip("/"))
            if name not in new and any(fnmatch.fnmatch(name, pattern) for pattern in owned):
                self.fs.rm(old, recursive=True)
        for name, path in sorted(new.items()):
            target = posixpath.join(folder, name)
            if self.is_local:
                replace_local(path, Path(target))
            else:
                self.remove(target)
                self.fs.put(str(path), target, recursive=path.is_dir())

    @contextlib.contextmanager
    def local_file(self, path: str) -> Iterator[Path]:
        """A real file for tools (ffmpeg, ASR) that cannot read fsspec URLs: the file itself on a
        local root, a temporary download from object storage."""
        if self.is_local:
            yield Path(path)
            return
        with tempfile.TemporaryDirectory(prefix="media-") as tmp:
            local = Path(tmp) / posixpath.basename(path)
            self.fs.get_file(path, str(local))
            yield local

    # ---- per-video stage status --------------------------------------------
    # One file per stage, so stages of one video that run at once never race on a shared file.
    def statuses(self, video_id: str) -> dict[str, StageStatus]:
        """Each stage's last outcome; an unreadable status file counts as no outcome."""
        found = {}
        for path in self.iter_files(self.video_path(video_id, STATUS_DIR)):
            if path.endswith(".json"):
                with contextlib.suppress(ValidationError, ValueError, OSError):
                    found[posixpath.basename(path).removesuffix(".json")] = self.read_model(path, StageStatus)
        return found

    def set_status(self, video_id: str, stage: str, status: StageStatus) -> None:
        self.write_json(self.status_path(video_id, stage), status)

    def clear_status(self, video_id: str, stage: str) -> None:
        self.remove(self.status_path(video_id, stage))

    def status_path(self, video_id: str, stage: str) -> str:
        return self.video_path(video_id, STATUS_DIR, f"{stage}.json")

    def lock(self, video_id: str, stage: str) -> contextlib.AbstractContextManager:
        """Held while a stage of a video runs, so two runs on one root never do the same work.
        Object stores have no file locks; a cluster shares one flow run, which never doubles a task."""
        if not self.is_local:
            return contextlib.nullcontext()
        folder = Path(self.join(LOCKS_DIR, check_video_id(video_id)))
        folder.mkdir(parents=True, exist_ok=True)
        return FileLock(folder / f"{stage}.lock")


def first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "file"
        return f"{where}: {error['msg']} ({exc.error_count()} error(s))"
    return str(exc).splitlines()[0][:200]


def replace_local(new: Path, target: Path) -> None:
    """Move `new` to `target`, replacing a file or a whole folder; a folder is swapped by two
    renames, so readers see the old one or the new one, never a mix."""
    if target.is_dir() and not target.is_symlink():
        trash = target.with_name(f".old-{target.name}-{os.getpid()}")
        os.replace(target, trash)
        os.replace(new, target)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(new, target)
