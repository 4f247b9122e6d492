from pathlib import Path

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


def scripted_checkpoint(path: Path, word: str) -> Path:
    """A tiny Whisper checkpoint that decodes `<|0.00|> word <|1.00|> <|endoftext|>` on any audio.

    Random weights decode garbage that changes from run to run (the decoder's positional
    embedding is left uninitialised by torch.empty, so its logits may be NaN) and takes minutes to
    time. Here the decoder's blocks add nothing to the residual stream, and position i's
    embedding selects the token of step i of the script, by a logit far above every other one.
    """
    import whisper
    from whisper.model import ModelDimensions
    from whisper.tokenizer import get_tokenizer

    dims = ModelDimensions(n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2, n_audio_layer=1,
                           n_vocab=51864, n_text_ctx=448, n_text_state=64, n_text_head=2, n_text_layer=1)
    torch.manual_seed(0)
    model = whisper.model.Whisper(dims)
    tokenizer = get_tokenizer(multilingual=False)
    (word_token,) = tokenizer.encode(f" {word}")
    script = [tokenizer.timestamp_begin, word_token, tokenizer.timestamp_begin + 50, tokenizer.eot]
    with torch.no_grad():
        model.decoder.token_embedding.weight.zero_()
        model.decoder.positional_embedding.zero_()
        for block in model.decoder.blocks:
            for layer in (block.attn.out, block.cross_attn.out, block.mlp[2]):
                layer.weight.zero_()
                layer.bias.zero_()
        for step, token in enumerate(script):
            model.decoder.positional_embedding[step, step] = 100.0
            model.decoder.token_embedding.weight[token, step] = 2.5
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, path)
    return path


def test_openai_whisper_backend_runs_a_local_checkpoint(tmp_path, narrated_clip):
    """Mechanics of the selectable backend: load a local checkpoint, decode, time the words."""
    checkpoint = scripted_checkpoint(tmp_path / "scripted-hello.pt", "hello")
    transcriber = get_transcriber(AsrSettings(backend="openai-whisper", model_path=checkpoint, device="cpu"))
    assert transcriber.model_id == "openai-whisper:scripted-hello"
    result = transcriber.transcribe(narrated_clip, vocabulary="")
    assert result.language == "en"
    assert [w.text for w in result.words] == ["hello"]
    word = result.words[0]
    assert 0.0 <= word.start < word.end <= 30.0 and word.probability > 0.9
    assert transcriber.transcribe(narrated_clip, vocabulary="") == result, "decoding is deterministic"
