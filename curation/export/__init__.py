"""Dataset versions built from the stored per-video artifacts: select, split, write, describe."""
