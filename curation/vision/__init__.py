"""Frame classifiers behind one protocol: an offline stain heuristic, open_clip zero-shot, ensembles."""
