"""Zero-shot frame classification with any open_clip model whose weights are already on disk.

Weights come from `vision.clip.checkpoint`: a local checkpoint file (for the architecture named
by `vision.clip.architecture`, a built-in open_clip name or the path of a model-config JSON),
or an `hf-hub:org/name` id that is already in the local Hugging Face cache (e.g. QuiltNet-B-32).
Nothing is ever downloaded. Inference is batched; on a GPU it runs under fp16 autocast. Frames are
scored zero-shot against text prompts, or by a linear probe on the image embeddings fitted to the
project's labelled frames (`curation.vision.probe`).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from curation.config import ClipSettings
from curation.vision.probe import load_probe
from curation.vision.protocol import (
    FRAME_TYPES,
    HISTOLOGY,
    Classification,
    histology_score,
    label_from_scores,
)

CHECKPOINT_ENV = "CURATION_VISION__CLIP__CHECKPOINT"
ARCHITECTURE_ENV = "CURATION_VISION__CLIP__ARCHITECTURE"
DEVICE_ENV = "CURATION_VISION__CLIP__DEVICE"
HUB_PREFIX = "hf-hub:"


def resolve_device(requested: str) -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"vision.clip.device is 'cuda' but no CUDA device is available; "
            f"set {DEVICE_ENV}=auto or cpu"
        )
    return requested


def architecture_name(architecture: str) -> str:
    """A built-in open_clip name, or a model-config JSON registered under its file stem."""
    import open_clip

    path = Path(architecture).expanduser()
    if path.suffix == ".json":
        if not path.is_file():
            raise ValueError(f"open_clip model config {path} does not exist ({ARCHITECTURE_ENV})")
        open_clip.add_model_config(path)
        return path.stem
    if architecture not in open_clip.list_models():
        raise ValueError(
            f"unknown open_clip architecture {architecture!r}: set {ARCHITECTURE_ENV} to a "
            "built-in name "
            "(open_clip.list_models()) or to the path of a model-config JSON"
        )
    return architecture


def resolve_weights(settings: ClipSettings) -> tuple[str, str | None]:
    """(model name for open_clip, checkpoint file or None when the name carries the weights)."""
    checkpoint = settings.checkpoint
    if not checkpoint:
        raise RuntimeError(
            f"the open_clip backend needs local weights: set {CHECKPOINT_ENV} "
            f"(vision.clip.checkpoint) to a checkpoint file or to an {HUB_PREFIX}org/name id "
            "already in the local Hugging Face "
            "cache; nothing is downloaded"
        )
    if checkpoint.startswith(HUB_PREFIX):
        from huggingface_hub import snapshot_download

        repo_id = checkpoint.removeprefix(HUB_PREFIX)
        try:
            folder = snapshot_download(repo_id, local_files_only=True)
        except Exception as exc:
            raise RuntimeError(
                f"{checkpoint} is not in the local Hugging Face cache and nothing is downloaded: "
                f"fetch it yourself or set {CHECKPOINT_ENV} to a local checkpoint file ({exc})"
            ) from exc
        if not (Path(folder) / "open_clip_config.json").is_file():
            raise RuntimeError(
                f"{checkpoint} in the local cache has no open_clip_config.json ({CHECKPOINT_ENV})"
            )
        return f"local-dir:{folder}", None
    path = Path(checkpoint).expanduser()
    if not path.is_file():
        raise RuntimeError(
            f"open_clip checkpoint {path} does not exist; set {CHECKPOINT_ENV} to a local file"
        )
    return architecture_name(settings.architecture), str(path)


@dataclass(frozen=True)
class LoadedClip:
    model: Any  # open_clip.CLIP in eval mode, on `device`
    preprocess: Callable  # PIL image -> tensor
    tokenizer: Callable  # list of texts -> token tensor
    device: str
    model_id: str  # "open_clip/<architecture>:<checkpoint file>" or "open_clip/hf-hub:<org/name>"


def load_open_clip(settings: ClipSettings) -> LoadedClip:
    """The one open_clip loader (frame classifier and audit): local weights only, never a download."""
    import open_clip

    device = resolve_device(settings.device)
    model_name, checkpoint = resolve_weights(settings)
    try:
        model, _, preprocess = open_clip.create_model_and_transforms(
            model_name, pretrained=checkpoint, device=device, pretrained_image=False, pretrained_text=False
        )
    except Exception as exc:
        raise RuntimeError(
            f"open_clip could not load {model_name} with weights {checkpoint or model_name}: {exc} "
            f"(check {ARCHITECTURE_ENV} and {CHECKPOINT_ENV})"
        ) from exc
    model_id = (
        f"open_clip/{Path(settings.architecture).stem}:{Path(checkpoint).name}"
        if checkpoint
        else f"open_clip/{settings.checkpoint}"
    )
    return LoadedClip(model.eval(), preprocess, open_clip.get_tokenizer(model_name), device, model_id)


class ClipEmbedder:
    """L2-normalised image embeddings, `batch_size` images per forward pass, under fp16 autocast
    on a GPU."""

    def __init__(self, loaded: LoadedClip, batch_size: int):
        self.loaded = loaded
        self.batch_size = batch_size

    @property
    def model_id(self) -> str:
        return self.loaded.model_id

    def _autocast(self):
        import torch

        if self.loaded.device.startswith("cuda"):
            return torch.autocast(device_type="cuda", dtype=torch.float16)
        return contextlib.nullcontext()

    def embed(self, images: Iterable[np.ndarray]) -> np.ndarray:
        """One row per RGB uint8 image, in order; `images` may be a generator, held a batch at a time."""
        import torch
        from PIL import Image

        rows = []
        iterator = iter(images)
        while batch := list(itertools.islice(iterator, self.batch_size)):
            pixels = torch.stack([self.loaded.preprocess(Image.fromarray(img)) for img in batch])
            with torch.inference_mode(), self._autocast():
                features = self.loaded.model.encode_image(pixels.to(self.loaded.device)).float()
            rows.append((features / features.norm(dim=-1, keepdim=True)).cpu().numpy())
        return np.concatenate(rows) if rows else np.zeros((0, 0), np.float32)

    def encode_text(self, texts: list[str]) -> np.ndarray:
        import torch

        with torch.inference_mode(), self._autocast():
            text = self.loaded.model.encode_text(self.loaded.tokenizer(texts).to(self.loaded.device)).float()
        return (text / text.norm(dim=-1, keepdim=True)).cpu().numpy()


class OpenClipClassifier:
    """Zero-shot over `vision.clip.class_prompts`, or the linear probe `vision.clip.probe` names."""

    def __init__(
        self,
        settings: ClipSettings,
        threshold: float = 0.5,
        keep_as_histology: tuple[str, ...] = (),
        embedder: ClipEmbedder | None = None,
    ):
        self.settings = settings
        self.threshold = threshold
        self.keep_as_histology = keep_as_histology
        self.probe = load_probe(settings.probe) if settings.probe else None
        if self.probe is None:
            _check_prompts(settings.class_prompts)
        self.embedder = embedder or ClipEmbedder(load_open_clip(settings), settings.batch_size)
        if self.probe is not None:
            self.probe.check_backbone(self.embedder.model_id)
            self.classifier_id = f"{self.embedder.model_id}+probe/{self.probe.version}"
        else:
            self.classifier_id = self.embedder.model_id
            self.prompt_classes = [name for name, texts in settings.class_prompts.items() for _ in texts]
            self.text_features = self.embedder.encode_text(
                [text for texts in settings.class_prompts.values() for text in texts]
            )
            self.logit_scale = float(self.embedder.loaded.model.logit_scale.detach().exp())

    def scores(self, embeddings: np.ndarray) -> list[dict[str, float]]:
        if self.probe is not None:
            self.probe.check_dimensions(embeddings.shape[1])
            return [
                {name: round(float(p), 4) for name, p in zip(self.probe.classes, row)}
                for row in self.probe.probabilities(embeddings)
            ]
        logits = self.logit_scale * embeddings @ self.text_features.T
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        results = []
        for row in probs:
            scores = dict.fromkeys(self.settings.class_prompts, 0.0)
            for name, p in zip(self.prompt_classes, row):
                scores[name] += float(p)
            results.append({name: round(value, 4) for name, value in scores.items()})
        return results

    def classify(self, images: list[np.ndarray]) -> list[Classification]:
        if not images:
            return []
        results = []
        for scores in self.scores(self.embedder.embed(images)):
            histology = histology_score(scores, self.keep_as_histology)
            results.append(
                Classification(label_from_scores(scores, histology, self.threshold), histology, scores)
            )
        return results


def _check_prompts(class_prompts: dict[str, list[str]]) -> None:
    unknown = set(class_prompts) - set(FRAME_TYPES)
    if unknown:
        raise ValueError(f"vision.clip.class_prompts: {sorted(unknown)} are not frame types {FRAME_TYPES}")
    if not class_prompts.get(HISTOLOGY) or len(class_prompts) < 2:
        raise ValueError("vision.clip.class_prompts needs at least one histology prompt and one other type")
