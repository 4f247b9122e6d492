"""Image-text cosine similarity of each pair under a local open_clip model (CLIP score)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from curation.config import ClipSettings
from curation.store import Store


def _device(setting: str) -> str:
    import torch

    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return setting


def load_clip(clip: ClipSettings):
    """(model, preprocess, tokenizer, model id) from a local checkpoint or a cached hf-hub id."""
    import open_clip

    checkpoint = clip.checkpoint
    if not checkpoint:
        raise ValueError(
            "settings.vision.clip.checkpoint is not set: no open_clip model to score pairs with"
        )
    try:
        if checkpoint.startswith("hf-hub:"):
            model, preprocess = open_clip.create_model_from_pretrained(checkpoint)
            tokenizer = open_clip.get_tokenizer(checkpoint)
        else:
            if not Path(checkpoint).is_file():
                raise FileNotFoundError(f"{checkpoint} is not a file")
            model, _, preprocess = open_clip.create_model_and_transforms(
                clip.architecture, pretrained=checkpoint
            )
            tokenizer = open_clip.get_tokenizer(clip.architecture)
    except Exception as exc:
        raise RuntimeError(
            f"cannot load open_clip model {clip.architecture} from settings.vision.clip.checkpoint="
            f"{checkpoint!r} without downloading ({type(exc).__name__}: {exc}); point the setting "
            "at a local checkpoint file or an hf-hub id already in the local cache"
        ) from exc
    return model.eval(), preprocess, tokenizer, f"{clip.architecture}:{Path(checkpoint).name}"


def _batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _open_rgb(store: Store, image_path: str) -> Image.Image:
    path = store.join(image_path)
    if not store.exists(path):
        raise FileNotFoundError(f"pair image {path} does not exist")
    with Image.open(io.BytesIO(store.read_bytes(path))) as image:
        return image.convert("RGB")


def pair_similarities(
    store: Store, pairs: list[dict], clip: ClipSettings
) -> tuple[dict[str, float], str]:
    """Cosine similarity per pair id (each distinct image and caption embedded once), model id."""
    import torch

    model, preprocess, tokenizer, model_id = load_clip(clip)
    device = _device(clip.device)
    model = model.to(device)
    image_paths = sorted({p["image_path"] for p in pairs})
    captions = sorted({p["caption"] for p in pairs})
    image_rows, text_rows = {}, {}
    with torch.inference_mode():
        for batch in _batches(image_paths, clip.batch_size):
            pixels = torch.stack([preprocess(_open_rgb(store, path)) for path in batch]).to(device)
            features = torch.nn.functional.normalize(model.encode_image(pixels).float(), dim=-1)
            image_rows.update(zip(batch, features.cpu()))
        for batch in _batches(captions, clip.batch_size):
            features = model.encode_text(tokenizer(batch).to(device)).float()
            text_rows.update(zip(batch, torch.nn.functional.normalize(features, dim=-1).cpu()))
    scores = {
        p["pair_id"]: float(image_rows[p["image_path"]] @ text_rows[p["caption"]]) for p in pairs
    }
    return scores, model_id
