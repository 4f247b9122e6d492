"""`curate review`: a local web page to label a stratified sample of a version's pairs one by one.

Keys: a accept, r reject, 1-8 toggle an impurity tag, n or space next, p previous. Every verdict is
written at once to `review.sqlite` in the version folder (pair, verdict, tags, reviewer, time), so
closing the page loses nothing; reopening it resumes at the first pair the reviewer left unlabelled.
"""

from __future__ import annotations

import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from curation.audit.highlight import caption_segments
from curation.audit.pages import environment
from curation.audit.precision import summarize_labels
from curation.audit.review_labels import TAG_LABELS, Verdict, connect, read_labels, save_label
from curation.audit.sampling import stratified_sample
from curation.export.versions import REVIEW_DB, VersionPair, VersionReader
from curation.store import Store


class LabelIn(BaseModel):
    pair_id: str
    verdict: Verdict
    tags: list[str] = []


@dataclass
class ReviewSession:
    store: Store
    name: str
    version: str
    reviewer: str
    sample: list[VersionPair]
    db_path: Path

    def __post_init__(self):
        self.conn = connect(self.db_path)
        self.lock = threading.Lock()
        self.sampled = {p.pair_id for p in self.sample}

    def labels(self) -> dict[str, dict]:
        with self.lock:
            mine = read_labels(self.conn, self.reviewer)
        return {lb.pair_id: {"verdict": lb.verdict, "tags": list(lb.tags)} for lb in mine}

    def save(self, label: LabelIn) -> dict:
        if label.pair_id not in self.sampled:
            raise ValueError(f"pair {label.pair_id} is not in this review sample")
        with self.lock:
            save_label(self.conn, label.pair_id, label.verdict, label.tags, self.reviewer)
            mine = [
                lb for lb in read_labels(self.conn, self.reviewer) if lb.pair_id in self.sampled
            ]
        summary = summarize_labels(mine)
        return {
            "labelled": summary["labelled"],
            "precision": summary["precision"],
            "precision_ci95": summary["precision_ci95"],
        }

    def items(self) -> list[dict]:
        labels = self.labels()
        return [
            {
                "position": i,
                "pair_id": p.pair_id,
                "video_id": p.video_id,
                "text_type": p.text_type,
                "frame_time": p.frame_time,
                "text_start": p.text_start,
                "text_end": p.text_end,
                "segments": caption_segments(p.caption, p.med_terms),
                "label": labels.get(p.pair_id),
            }
            for i, p in enumerate(self.sample)
        ]

    def image(self, position: int) -> tuple[bytes, str]:
        if not 0 <= position < len(self.sample):
            raise IndexError(f"no pair at position {position} of {len(self.sample)}")
        path = self.sample[position].image_path
        media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return self.store.read_bytes(self.store.join(path)), media_type


def open_session(reader: VersionReader, reviewer: str, sample_size: int, seed: int = 0) -> ReviewSession:
    if not reviewer.strip():
        raise ValueError("reviewer name is empty: pass --reviewer")
    db_path = reader.store.local_path(reader.path(REVIEW_DB))
    sample = stratified_sample(reader.pairs(), sample_size, seed)
    if not sample:
        raise ValueError(f"dataset version {reader.name}/{reader.version} has no pairs to review")
    return ReviewSession(reader.store, reader.name, reader.version, reviewer, sample, db_path)


def create_app(session: ReviewSession) -> FastAPI:
    page = (
        environment()
        .get_template("review.html.j2")
        .render(
            session=session,
            tags=[(i + 1, tag, label) for i, (tag, label) in enumerate(TAG_LABELS.items())],
        )
    )
    app = FastAPI(title=f"review {session.name}/{session.version}", docs_url=None, redoc_url=None)

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return page

    @app.get("/api/items")
    def items() -> list[dict]:
        return session.items()

    @app.get("/image/{position}")
    def image(position: int) -> Response:
        try:
            data, media_type = session.image(position)
        except (IndexError, FileNotFoundError) as exc:
            raise HTTPException(404, str(exc)) from exc
        return Response(data, media_type=media_type, headers={"Cache-Control": "max-age=3600"})

    @app.post("/api/label")
    def label(body: LabelIn) -> dict:
        try:
            return session.save(body)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc

    return app


def serve(session: ReviewSession, host: str = "127.0.0.1", port: int = 8765) -> None:
    import uvicorn

    uvicorn.run(create_app(session), host=host, port=port, log_level="warning")
