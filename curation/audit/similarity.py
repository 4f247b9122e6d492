"""Image-text cosine similarity of each pair under a local open_clip model (CLIP score)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from curation.config import ClipSettings
from curation.store import Store


def load_clip(clip: ClipSettings):
    """(model, preprocess, tokenizer, device, model id), with the weights resolved as the open_clip
    frame classifier resolves them: a local checkpoint or a cached hf-hub id, never a download."""
    import open_clip

    from curation.vision.clip import resolve_device, resolve_weights

    model_name, checkpoint = resolve_weights(clip)
    device = resolve_device(clip.device)
    try:
        model, _, preprocess = open_clip.create_model_and_transforms(
            model_name, pretrained=checkpoint, device=device
        )
    except Exception as exc:
        raise RuntimeError(
            f"open_clip could not load {model_name} with weights {checkpoint or model_name} "
            f"({type(exc).__name__}: {exc}); check vision.clip.architecture and .checkpoint"
        ) from exc
    model_id = (
        f"{Path(clip.architecture).stem}:{Path(checkpoint).name}" if checkpoint else clip.checkpoint
    )
    return model.eval(), preprocess, open_clip.get_tokenizer(model_name), device, model_id


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

    model, preprocess, tokenizer, device, model_id = load_clip(clip)
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
