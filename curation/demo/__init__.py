"""Demo lectures generated offline: narrated histopathology teaching videos with known ground truth
and a page each (the `demo` corpus, clean; the `hard` corpus, under noisy audio;
the `negative` corpus, videos that are no narrated histology lecture), a local HTTP
server to fetch them by URL, and labelled still frames for classifier calibration."""
