from curation import align
from curation.align import ShownFrame, frame_windows, overlap_share, pairs_for_frame
from curation.config import AlignSettings, Settings
from curation.pipeline import stage_hash
from curation.records import FrameLabel, Keyframe, Pair, Sentence, SlideText, StageStatus, TextLine
from curation.stages import STAGES


def keyframe(index, start, end, duplicate_of=None):
    return Keyframe(video_id="v", index=index, frame_time=(start + end) / 2, scene_start=start, scene_end=end,
                    stable_start=start, stable_end=end, image_path=f"frames/{index:04d}.jpg", phash="0" * 16,
                    sharpness=10.0, width=640, height=360, samples=5, duplicate_of=duplicate_of)


def sentence(index, start, end, med=True, roi=False, text=None):
    text = text or f"sentence {index} about eosinophils"
    return Sentence(index=index, start=start, end=end, raw=text, text=text, is_med=med, is_roi=roi)


LABEL = FrameLabel(index=0, label="histology", histology_score=0.9, classifier_id="stain", stain="he")


def shown(kf, slide=None, provenance=None):
    return ShownFrame("v", kf, LABEL, slide, provenance or {})


def test_sentences_pair_with_the_frame_on_screen_not_its_neighbours():
    settings = AlignSettings(lead_s=1.0, lag_s=1.0, min_overlap=0.5)
    kfs = [keyframe(0, 10, 20), keyframe(1, 21, 30)]
    sentences = [sentence(0, 9.5, 12), sentence(1, 15, 19), sentence(2, 19.5, 24), sentence(3, 25, 28)]
    windows = frame_windows(kfs, settings)
    pairs = pairs_for_frame(shown(kfs[0], provenance={"asr_model": "m"}), windows[0], sentences, settings)
    assert [p.text_start for p in pairs] == [9.5, 15]
    assert all(p.image_path == "videos/v/frames/0000.jpg" and p.provenance == {"asr_model": "m"} for p in pairs)
    assert pairs[0].pair_id == Pair.make_id("v", 15.0, sentences[0].text)


def test_a_slide_shown_twice_collects_both_narrations():
    settings = AlignSettings(lead_s=0, lag_s=0)
    kfs = [keyframe(0, 0, 10), keyframe(1, 10, 20), keyframe(2, 20, 30, duplicate_of=0)]
    windows = frame_windows(kfs, settings)
    assert windows[0] == [(0, 10), (20, 30)] and 2 not in windows
    pairs = pairs_for_frame(shown(kfs[0]), windows[0],
                            [sentence(0, 2, 5), sentence(1, 12, 15), sentence(2, 22, 25)], settings)
    assert [p.text_start for p in pairs] == [2, 22]


def test_every_sentence_type_becomes_a_candidate_with_its_type():
    kf = keyframe(0, 0, 30)
    sentences = [sentence(0, 1, 2, med=True, roi=True), sentence(1, 3, 4, med=False, roi=True),
                 sentence(2, 5, 6, med=False)]
    pairs = pairs_for_frame(shown(kf), [(0, 30)], sentences, AlignSettings())
    assert [p.text_type for p in pairs] == ["med", "roi", "raw"]
    assert [p.is_roi for p in pairs] == [True, True, False]


def test_a_pair_carries_its_sentences_confidence_and_unsure_words():
    unsure = sentence(0, 1, 2).model_copy(update={"confidence": 0.4, "uncertain": ["homophism"]})
    pairs = pairs_for_frame(shown(keyframe(0, 0, 30)), [(0, 30)], [unsure, sentence(1, 3, 4)], AlignSettings())
    assert [(p.text_confidence, p.uncertain) for p in pairs] == [(0.4, ["homophism"]), (1.0, [])]


def test_overlap_share_counts_time_inside_any_window():
    s = sentence(0, 8, 12)
    assert overlap_share(s, [(0, 10)]) == 0.5
    assert overlap_share(s, [(0, 9), (11, 20)]) == 0.5
    assert overlap_share(s, [(20, 30)]) == 0.0


def test_a_slide_with_words_about_its_picture_gives_a_slide_pair_with_its_facts():
    kf = keyframe(0, 10, 20)
    lines = [TextLine(text=t, box=(0, 0, 9, 9), confidence=0.9) for t in ("Granuloma", "Langhans giant cells")]
    slide = SlideText(index=0, lines=lines, stains=["Ziehl-Neelsen"], magnification="x40")
    pairs = pairs_for_frame(shown(kf, slide), [(9, 21)], [sentence(0, 11, 14)], AlignSettings())
    assert [p.text_type for p in pairs] == ["med", "slide"]
    written = pairs[1]
    assert written.caption == "Granuloma: Langhans giant cells"
    assert (written.text_start, written.text_end) == (10, 20)
    assert all(p.stains_on_slide == ["Ziehl-Neelsen"] and p.magnification == "x40" for p in pairs)
    assert written.med_terms == ["granuloma", "Langhans giant cell"]
    blank = SlideText(index=0, lines=[])
    assert [p.text_type for p in pairs_for_frame(shown(kf, blank), [(9, 21)], [], AlignSettings())] == []


def test_a_new_pair_version_makes_stored_pairs_stale(monkeypatch):
    pairs = STAGES["pairs"]
    upstream = {stage: StageStatus(state="done", config_hash="h") for stage in pairs.after}
    before = stage_hash(pairs, Settings(), upstream)
    monkeypatch.setattr(align, "PAIRS_VERSION", align.PAIRS_VERSION + "-next")
    assert stage_hash(pairs, Settings(), upstream) != before
