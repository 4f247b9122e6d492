"""Transcript intelligence: medical lexicon, ASR correction, MED/ROI extraction, faithfulness guard."""
