import pytest
import torch

from curation.asr import get_transcriber
from curation.config import AsrSettings


def test_bundled_tiny_en_transcribes_with_word_timings(narrated_clip):
    transcriber = get_transcriber(AsrSettings())
    assert transcriber is get_transcriber(AsrSettings()), "the model loads once per process"
    result = transcriber.transcribe(narrated_clip, vocabulary="keratin pearls, eosinophilic")
    text = " ".join(w.text for w in result.words).lower()
    assert "carcinoma" in text and "cytoplasm" in text
    starts = [w.start for w in result.words]
    assert starts == sorted(starts) and starts[0] < 2.0 and result.words[-1].end <= result.duration_s + 0.5
    assert all(0.0 <= w.probability <= 1.0 for w in result.words)


def test_missing_local_models_name_the_setting(tmp_path):
    with pytest.raises(FileNotFoundError, match="CURATION_ASR__MODEL_PATH"):
        get_transcriber(AsrSettings(backend="openai-whisper"))
    with pytest.raises(FileNotFoundError, match="CURATION_ASR__MODEL_PATH"):
        get_transcriber(AsrSettings(model_path=tmp_path))


def test_openai_whisper_backend_runs_a_local_checkpoint(tmp_path, narrated_clip):
    """Mechanics of the selectable backend with a tiny randomly initialised checkpoint."""
    import whisper
    from whisper.model import ModelDimensions

    dims = ModelDimensions(n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2, n_audio_layer=1,
                           n_vocab=51864, n_text_ctx=448, n_text_state=64, n_text_head=2, n_text_layer=1)
    torch.manual_seed(0)
    model = whisper.model.Whisper(dims)
    checkpoint = tmp_path / "tiny-random.pt"
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, checkpoint)

    transcriber = get_transcriber(AsrSettings(backend="openai-whisper", model_path=checkpoint, device="cpu"))
    assert transcriber.model_id == "openai-whisper:tiny-random"
    result = transcriber.transcribe(narrated_clip, vocabulary="")
    assert result.language == "en"
    assert all(w.start <= w.end for w in result.words)
