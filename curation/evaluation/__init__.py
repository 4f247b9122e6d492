"""Scorers that measure the product against the demo lectures' ground truth (benches and tests);
no stage imports them."""
