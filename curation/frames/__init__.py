"""Keyframes: scene cuts, stable intervals, median images, near-duplicate removal."""
