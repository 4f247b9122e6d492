"""Demo lectures generated offline: narrated histopathology teaching videos with known ground truth,
a local HTTP server to fetch them by URL, and labelled still frames for classifier calibration."""
