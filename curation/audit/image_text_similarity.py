"""Image-text cosine similarity of each pair under a local open_clip model (CLIP score)."""

from __future__ import annotations

import io

from PIL import Image

from curation.config import ClipSettings
from curation.records import Pair
from curation.store import Store


def _batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _open_rgb(store: Store, image_path: str) -> Image.Image:
    path = store.join(image_path)
    if not store.exists(path):
        raise FileNotFoundError(f"pair image {path} does not exist")
    with Image.open(io.BytesIO(store.read_bytes(path))) as image:
        return image.convert("RGB")


def pair_similarities(store: Store, pairs: list[Pair], clip: ClipSettings) -> tuple[dict[str, float], str]:
    """Cosine similarity per pair id (each distinct image and caption embedded once), model id."""
    import torch

    from curation.vision.clip import load_open_clip

    loaded = load_open_clip(clip)
    image_paths = sorted({p.image_path for p in pairs})
    captions = sorted({p.caption for p in pairs})
    image_rows, text_rows = {}, {}
    with torch.inference_mode():
        for batch in _batches(image_paths, clip.batch_size):
            pixels = torch.stack([loaded.preprocess(_open_rgb(store, path)) for path in batch]).to(loaded.device)
            features = torch.nn.functional.normalize(loaded.model.encode_image(pixels).float(), dim=-1)
            image_rows.update(zip(batch, features.cpu()))
        for batch in _batches(captions, clip.batch_size):
            features = loaded.model.encode_text(loaded.tokenizer(batch).to(loaded.device)).float()
            text_rows.update(zip(batch, torch.nn.functional.normalize(features, dim=-1).cpu()))
    scores = {p.pair_id: float(image_rows[p.image_path] @ text_rows[p.caption]) for p in pairs}
    return scores, loaded.model_id
