"""`curate review`: a local web page to label a stratified sample of a version's pairs one by one.

Keys: a accept, r reject the image, 1-8 toggle an impurity tag; the caption is right unless the
reviewer clicks a word not said or a wrong term (or presses w) or presses x (not about this image);
n or space next, p previous. Every verdict is written at once to `review.sqlite` in the version
folder (pair, verdicts, tags, clicked words, reviewer, time), so closing the page loses nothing;
reopening it resumes at the first pair the reviewer left unlabelled.

Besides a stratified sample of the version's pairs, the sample holds a few pairs the version dropped
as `uncertain_text`, unmarked, so caption verdicts measure precision below the threshold too (the
audit's suggested threshold); the version's own precision counts only its pairs. Nothing on the page
tells a pair's text confidence or the words the text stage doubted, so it cannot sway the verdict.
"""

from __future__ import annotations

import mimetypes
import random
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from curation.audit.highlight import caption_words
from curation.audit.pages import environment
from curation.audit.precision import summarize_labels
from curation.audit.review_labels import (
    CAPTION_LABELS,
    TAG_LABELS,
    CaptionVerdict,
    Verdict,
    WrongWord,
    connect,
    read_labels,
    save_label,
)
from curation.audit.sampling import stratified_sample
from curation.export.versions import REVIEW_DB, VersionReader
from curation.records import Pair
from curation.store import Store


class LabelIn(BaseModel):
    pair_id: str
    verdict: Verdict
    tags: list[str] = []
    caption: CaptionVerdict = "ok"
    wrong_words: list[WrongWord] = []


@dataclass
class ReviewSession:
    store: Store
    name: str
    version: str
    reviewer: str
    sample: list[Pair]
    db_path: Path

    def __post_init__(self):
        self.conn = connect(self.db_path)
        self.lock = threading.Lock()
        self.sampled = {p.pair_id: p for p in self.sample}

    def labels(self) -> dict[str, dict]:
        with self.lock:
            mine = read_labels(self.conn, self.reviewer)
        return {
            lb.pair_id: {
                "verdict": lb.verdict, "tags": list(lb.tags),
                "caption": lb.caption or "ok", "wrong_words": [list(w) for w in lb.wrong_words],
            }
            for lb in mine
        }

    def save(self, label: LabelIn) -> dict:
        if label.pair_id not in self.sampled:
            raise ValueError(f"pair {label.pair_id} is not in this review sample")
        words = self.sampled[label.pair_id].caption.split()
        for at, word in label.wrong_words:
            if not 0 <= at < len(words) or words[at] != word:
                raise ValueError(f"word {at} of the caption of pair {label.pair_id} is not {word!r}")
        with self.lock:
            save_label(self.conn, label.pair_id, label.verdict, label.tags, self.reviewer,
                       label.caption, label.wrong_words)
            mine = [
                lb for lb in read_labels(self.conn, self.reviewer) if lb.pair_id in self.sampled
            ]
        summary = summarize_labels(mine)
        return {
            "labelled": summary["labelled"],
            "precision": summary["precision"],
            "precision_ci95": summary["precision_ci95"],
            "caption_precision": summary["caption"]["precision"],
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
                "words": [w.model_dump() for w in caption_words(p.caption, p.med_terms)],
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


def uncertain_sample(reader: VersionReader, count: int, seed: int) -> list[Pair]:
    """Up to `count` pairs the version dropped as `uncertain_text` whose image is in the store."""
    dropped = sorted(reader.dropped("uncertain_text"), key=lambda p: p.pair_id)
    shown = [p for p in dropped if reader.store.exists(reader.store.join(p.image_path))]
    return random.Random(seed).sample(shown, min(count, len(shown)))


def open_session(
    reader: VersionReader, reviewer: str, sample_size: int, seed: int = 0, uncertain: int = 0
) -> ReviewSession:
    """`sample_size` of the version's pairs, stratified, and `uncertain` of those it dropped as
    uncertain text, shuffled together."""
    if not reviewer.strip():
        raise ValueError("reviewer name is empty: pass --reviewer")
    db_path = reader.store.local_path(reader.path(REVIEW_DB))
    kept = stratified_sample(reader.pairs(), sample_size, seed)
    if not kept:
        raise ValueError(f"dataset version {reader.name}/{reader.version} has no pairs to review")
    extra = uncertain_sample(reader, uncertain, seed)
    sample: list[Pair] = [*kept, *extra]
    if extra:  # blind: dropped pairs must not come last
        random.Random(seed).shuffle(sample)
    return ReviewSession(reader.store, reader.name, reader.version, reviewer, sample, db_path)


def create_app(session: ReviewSession) -> FastAPI:
    page = (
        environment()
        .get_template("review.html.j2")
        .render(
            session=session,
            tags=[(i + 1, tag, label) for i, (tag, label) in enumerate(TAG_LABELS.items())],
            caption_labels=CAPTION_LABELS,
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
