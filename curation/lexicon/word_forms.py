"""The folded word forms of a Hunspell dictionary, expanded once per machine.

Expanding en_US and en_med_glut with their affix rules costs about a second of CPU in every
process that loads the lexicon: each run, each Dask worker, each test interpreter. The forms
are kept as a word list in the machine's cache, named by a digest of the dictionary, its affix
file and the code that expands and folds them, so a change to any of them builds a new list.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from curation.atomic_file import write_atomically
from curation.lexicon import hunspell, tokens
from curation.machine_cache import machine_cache_dir


def _cache_file(dic: Path, aff: Path) -> Path:
    digest = hashlib.sha256()
    for source in (dic, aff, Path(hunspell.__file__), Path(tokens.__file__)):
        digest.update(source.read_bytes())
    return machine_cache_dir() / f"hunspell-{dic.stem}-{digest.hexdigest()[:16]}.txt"


def dictionary_forms(dic: Path, aff: Path) -> frozenset[str]:
    cached = _cache_file(dic, aff)
    if cached.is_file():
        return frozenset(cached.read_text(encoding="utf-8").split("\n"))
    forms = frozenset(tokens.fold(w) for w in hunspell.expand_dictionary(dic, hunspell.read_affixes(aff)))
    write_atomically(cached, "\n".join(sorted(forms)))
    return forms
