"""Frame classifiers behind one protocol: offline stain model, open_clip zero-shot, ensembles."""
