"""Slide text: OCR of every kept keyframe, the stain and magnification written on it, and each
video's own medical vocabulary (from its slides and its page)."""
