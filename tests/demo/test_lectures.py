"""The built demo lectures: their ground truth is consistent, and the MP4s show and say what it claims."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from curation.demo.build import FPS, build_demo_lectures, is_built, render
from curation.demo.scripts import load_scripts, written_lines
from curation.demo.truth import load_truth, truth_path
from curation.demo.tts import SAMPLE_RATE
from tests.demo.media import audio_samples, frame_at, mean_abs_diff, probe, top_level_boxes

SCRIPTS = {s.video_id: s for s in load_scripts()}
LECTURES = sorted(SCRIPTS)


@pytest.fixture(scope="module", params=LECTURES)
def lecture(request, demo_dir):
    video_id = request.param
    return SCRIPTS[video_id], load_truth(truth_path(demo_dir, video_id)), Path(demo_dir) / f"{video_id}.mp4"


def test_slides_tile_the_lecture_and_last_two_to_four_minutes(lecture):
    _, truth, _ = lecture
    assert 120 <= truth.duration_s <= 240
    assert truth.slides[0].start == 0 and truth.slides[-1].end == pytest.approx(truth.duration_s)
    for before, after in zip(truth.slides, truth.slides[1:]):
        assert after.start == before.end and after.index == before.index + 1
    for slide in truth.slides:
        assert slide.histology == (slide.kind in ("histology", "histology_with_text"))
        assert (slide.histology_box is not None) == slide.histology
        if slide.histology:
            assert 10 <= slide.end - slide.start <= 30, f"histology slide {slide.index} is too short or long"
    assert sum(s.has_cursor for s in truth.slides) == 1


def test_sentences_are_ordered_and_inside_their_slide(lecture):
    _, truth, _ = lecture
    for before, after in zip(truth.sentences, truth.sentences[1:]):
        assert before.end < after.start
    for sentence in truth.sentences:
        slide = truth.slides[sentence.slide]
        assert slide.start < sentence.start < sentence.end < slide.end
        assert 0.5 < sentence.end - sentence.start < 15
        assert all(term.lower() in sentence.text.lower() for term in sentence.terms)
        assert sentence.is_med == bool(sentence.terms)
    assert {s.slide for s in truth.sentences} == {s.index for s in truth.slides}


def test_mp4_streams_match_the_truth(lecture):
    _, truth, video = lecture
    info = probe(video)
    streams = {s["codec_type"]: s for s in info["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["video"]["pix_fmt"] == "yuv420p"
    assert (streams["video"]["width"], streams["video"]["height"]) == (truth.width, truth.height)
    assert streams["video"]["r_frame_rate"] == f"{truth.fps}/1"
    assert streams["audio"]["codec_name"] == "aac"
    assert float(info["format"]["duration"]) == pytest.approx(truth.duration_s, abs=0.2)
    boxes = top_level_boxes(video)
    assert boxes.index("moov") < boxes.index("mdat")  # faststart: the index comes first


def test_each_slide_shows_its_rendered_picture(lecture):
    script, truth, video = lecture
    pictures = [np.asarray(render(script, i).image, dtype=np.int16) for i in range(len(truth.slides))]
    for slide in truth.slides:
        shown = frame_at(video, (slide.start + slide.end) / 2)
        own = mean_abs_diff(shown, pictures[slide.index])
        others = [mean_abs_diff(shown, p) for s, p in zip(truth.slides, pictures) if s.picture != slide.picture]
        assert own < 3, f"slide {slide.index} differs from its picture by {own:.1f}"
        assert min(others) > 2 * own + 1  # no other slide is nearly as close


def test_the_repeated_slide_shows_the_same_picture_again(lecture):
    _, truth, video = lecture
    by_picture = {}
    for slide in truth.slides:
        by_picture.setdefault(slide.picture, []).append(slide)
    repeated = [slides for slides in by_picture.values() if len(slides) > 1]
    assert len(repeated) == 1 and len(repeated[0]) == 2
    first, again = repeated[0]
    assert first.histology and again.index > first.index + 1
    frames = [frame_at(video, (s.start + s.end) / 2) for s in (first, again)]
    assert mean_abs_diff(*frames) < 1.5


def test_crossfade_blends_the_two_histology_slides_at_the_boundary(lecture):
    script, truth, video = lecture
    slide = next(s for s in truth.slides if s.transition_in == "crossfade")
    before = truth.slides[slide.index - 1]
    assert before.histology and slide.histology
    a, b = (np.asarray(render(script, s.index).image, dtype=np.float64) for s in (before, slide))
    boundary_frame = round(slide.start * FPS)
    middle = frame_at(video, (boundary_frame - 0.5) / FPS)  # decodes frame number `boundary_frame`
    alpha = 6.5 / 12  # the seventh of twelve cross-fade frames
    assert mean_abs_diff(middle, a * (1 - alpha) + b * alpha) < 3
    assert min(mean_abs_diff(middle, a), mean_abs_diff(middle, b)) > 8
    assert mean_abs_diff(frame_at(video, slide.start + 0.6), b) < 3


def test_pointer_moves_over_the_cursor_slide_and_a_median_erases_it(lecture):
    script, truth, video = lecture
    slide = next(s for s in truth.slides if s.has_cursor)
    picture = np.asarray(render(script, slide.index).image, dtype=np.int16)
    times = np.linspace(slide.start + 0.5, slide.end - 0.5, 9)
    frames = np.stack([frame_at(video, t) for t in times])
    changed = [np.abs(f - picture).max(axis=2) > 60 for f in frames]
    areas = [c.sum() for c in changed]
    assert all(100 < a < 2000 for a in areas), areas  # a pointer-sized patch differs in every frame
    centres = {tuple(np.argwhere(c).mean(axis=0).round(-1)) for c in changed}
    assert len(centres) == len(frames)  # and it is somewhere else each time
    median = np.median(frames, axis=0)
    assert (np.abs(median - picture).max(axis=2) > 60).sum() < 20


def test_narration_is_heard_within_sentences_and_silent_at_slide_changes(lecture):
    _, truth, video = lecture
    audio = audio_samples(video, SAMPLE_RATE)
    assert len(audio) / SAMPLE_RATE == pytest.approx(truth.duration_s, abs=0.2)

    def rms(start: float, end: float) -> float:
        return float(np.sqrt(np.mean(audio[int(start * SAMPLE_RATE): int(end * SAMPLE_RATE)] ** 2)))

    speech = [rms(s.start + 0.2 * (s.end - s.start), s.end - 0.2 * (s.end - s.start)) for s in truth.sentences]
    cuts = [rms(s.start - 0.4, s.start + 0.4) for s in truth.slides[1:]]
    assert min(speech) > 20 * max(max(cuts), 1.0)


def test_a_built_folder_is_reused_without_rebuilding(demo_dir):
    before = {p.name: p.stat().st_mtime_ns for p in Path(demo_dir).iterdir()}
    paths = build_demo_lectures(demo_dir)
    assert [p.name for p in paths] == [f"{v}.mp4" for v in LECTURES]
    assert {p.name: p.stat().st_mtime_ns for p in Path(demo_dir).iterdir()} == before


def test_a_lecture_from_another_generator_version_is_out_of_date(demo_dir, tmp_path):
    video_id = LECTURES[0]
    for name in (f"{video_id}.mp4", f"{video_id}.html", f"{video_id}.truth.json"):
        shutil.copy(Path(demo_dir) / name, tmp_path / name)
    assert is_built(tmp_path, video_id)
    truth_file = truth_path(tmp_path, video_id)
    truth = json.loads(truth_file.read_text())
    truth_file.write_text(json.dumps({**truth, "generator_version": "old"}))
    assert not is_built(tmp_path, video_id)
    truth_file.write_text("{not json")
    assert not is_built(tmp_path, video_id)


def test_unknown_lecture_ids_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown demo lecture.*lecture-99"):
        build_demo_lectures(tmp_path, only=["lecture-99"])


def test_truth_records_the_written_words_labels_and_clean_audio(lecture):
    script, truth, _ = lecture
    for slide in truth.slides:
        assert slide.written == written_lines(script.shown(slide.index)) and slide.written
        if slide.histology:
            assert slide.label in slide.written and slide.magnification and slide.label.endswith(slide.magnification)
            assert all(stain in slide.label for stain in slide.stains)
    assert any(s.stains for s in truth.slides)
    titled = [s for s in truth.slides if s.kind == "histology" and len(s.written) == 2]
    assert len(titled) >= 4  # microscope pictures with a title band and a label
    assert truth.corpus == "demo" and truth.audio.conditions == [] and truth.audio.levels_db == {}


def test_titles_are_read_off_the_frames_and_labels_are_on_them(demo_dir):
    from curation.lexicon.tokens import normalize_tokens
    from curation.slides.ocr import get_engine
    from curation.slides.reading import read_frames

    video = Path(demo_dir) / "lecture-02.mp4"
    truth = load_truth(truth_path(demo_dir, "lecture-02"))
    slides = [s for s in truth.slides if s.kind == "histology" and s.picture == f"slide-{s.index}"]
    frames = [frame_at(video, (s.start + s.end) / 2).astype(np.uint8) for s in slides]
    titled = 0
    for slide, frame, lines in zip(slides, frames, read_frames(get_engine("tesseract"), frames, min_confidence=0.5)):
        if slide.written[0] != slide.label:  # the slide has a title band
            titled += 1
            read = set(normalize_tokens(" ".join(line.text for line in lines)))
            missing = set(normalize_tokens(slide.written[0])) - read
            assert not missing, f"slide {slide.index}: {missing} of {slide.written[0]!r} not read off the frame"
        x0, y0, x1, y1 = slide.label_box
        tag = frame[y0 + 3: y1 - 3, x0 + 3: x1 - 3].mean(axis=2)
        assert (tag > 225).mean() > 0.6 and (tag < 90).mean() > 0.08  # black letters on a white tag
    assert titled >= 4
