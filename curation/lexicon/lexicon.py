"""The medical lexicon: a curated histopathology term list plus Hunspell medical and English words."""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

from curation.lexicon.tokens import fold, inflections, normalize_tokens
from curation.lexicon.word_forms import dictionary_forms

HUNSPELL_DIR = Path(os.environ.get("CURATION_HUNSPELL_DIR", "/usr/share/hunspell"))
ENGLISH_DIC, ENGLISH_AFF, MEDICAL_DIC = "en_US.dic", "en_US.aff", "en_med_glut.dic"
DICTIONARY_PACKAGES = {
    ENGLISH_DIC: "hunspell-en-us",
    ENGLISH_AFF: "hunspell-en-us",
    MEDICAL_DIC: "hunspell-en-med",
}


@dataclass(frozen=True)
class Term:
    name: str  # canonical spelling, as in the term list
    category: str  # the term list file it comes from: stains, cells, markers, ...
    spellings: tuple[str, ...]  # the name and its variants ("H&E", "hematoxylin and eosin", ...)


@dataclass(frozen=True)
class TermForm:
    name: str  # the term it belongs to
    text: str  # how to write this form: "Reed-Sternberg cells"


@dataclass(frozen=True, eq=False)
class Lexicon:
    terms: tuple[Term, ...]
    english: frozenset[str]  # folded word forms of en_US
    medical: frozenset[str]  # folded word forms of en_med_glut and of every curated term
    # normalised spelling or plural -> form, and term name -> its forms
    forms: dict[tuple[str, ...], TermForm] = field(repr=False)
    forms_of: dict[str, tuple[tuple[str, ...], ...]] = field(repr=False)
    version: str = ""  # digest of the term lists and dictionaries, for provenance

    @cached_property
    def longest_form(self) -> int:
        """Tokens in the longest form, how far a term search looks ahead."""
        return max(len(form) for form in self.forms)

    def is_english(self, word: str) -> bool:
        return fold(word) in self.english

    def is_medical(self, word: str) -> bool:
        return fold(word) in self.medical

    def is_known(self, word: str) -> bool:
        return self.is_english(word) or self.is_medical(word)


def _term_list_files() -> list:
    folder = resources.files("curation") / "lexicon"
    return sorted((e for e in folder.iterdir() if e.name.endswith(".txt")), key=lambda e: e.name)


def read_term_lists() -> list[Term]:
    terms: dict[str, Term] = {}
    for entry in _term_list_files():
        for line in entry.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            spellings = tuple(s.strip() for s in line.split("|") if s.strip())
            terms.setdefault(fold(spellings[0]), Term(spellings[0], entry.name[:-4], spellings))
    if not terms:
        raise RuntimeError(
            "no curated terms found: the package data curation/lexicon/*.txt is missing"
        )
    return list(terms.values())


def _dictionary_file(name: str) -> Path:
    path = HUNSPELL_DIR / name
    if not path.is_file():
        raise RuntimeError(
            f"dictionary file {path} is missing: install the Debian package {DICTIONARY_PACKAGES[name]} "
            "(or point CURATION_HUNSPELL_DIR at a folder holding en_US.dic, en_US.aff and en_med_glut.dic)"
        )
    return path


def _inflected_spelling(spelling: str, form: tuple[str, ...]) -> str:
    """The written spelling with its last word swapped for the form's (plural) last word."""
    last = re.search(r"[A-Za-z]+$", spelling)
    if last is None or fold(last.group()) == form[-1]:
        return spelling
    return spelling[: last.start()] + form[-1]


# Stains are substances: "eosin" has no plural, though "special stains" has.
_MASS_NOUN_CATEGORIES = frozenset({"stains"})
_COUNTABLE_LAST_WORDS = frozenset({"stain", "stains", "body", "bodies"})


def _has_plural(term: Term, tokens: tuple[str, ...]) -> bool:
    return term.category not in _MASS_NOUN_CATEGORIES or tokens[-1:] in {(w,) for w in _COUNTABLE_LAST_WORDS}


def _term_forms(terms: list[Term]) -> dict[tuple[str, ...], TermForm]:
    forms: dict[tuple[str, ...], TermForm] = {}
    for term in terms:
        for spelling in term.spellings:
            tokens = normalize_tokens(spelling)
            for form in inflections(tokens) if _has_plural(term, tokens) else {tokens}:
                forms.setdefault(form, TermForm(term.name, _inflected_spelling(spelling, form)))
    # a spelling written in the list wins over a plural generated from another term
    # (and of spellings with the same words, "Ki-67" and "Ki67", the first listed)
    forms.update({normalize_tokens(s): TermForm(t.name, s) for t in terms for s in reversed(t.spellings)})
    return forms


@cache
def load_lexicon() -> Lexicon:
    """The lexicon, loaded once per process."""
    affixes = _dictionary_file(ENGLISH_AFF)
    english = dictionary_forms(_dictionary_file(ENGLISH_DIC), affixes)
    medical = set(dictionary_forms(_dictionary_file(MEDICAL_DIC), affixes))
    terms = read_term_lists()
    forms = _term_forms(terms)
    medical.update(word for form in forms for word in form if word.isalpha())
    forms_of: dict[str, list[tuple[str, ...]]] = {}
    for form, term_form in forms.items():
        forms_of.setdefault(term_form.name, []).append(form)
    return Lexicon(
        tuple(terms),
        english,
        frozenset(medical),
        forms,
        {name: tuple(found) for name, found in forms_of.items()},
        _version(),
    )


def _version() -> str:
    digest = hashlib.sha256()
    for entry in _term_list_files():
        digest.update(entry.name.encode() + entry.read_bytes())
    for name in (ENGLISH_DIC, ENGLISH_AFF, MEDICAL_DIC):
        digest.update(name.encode() + _dictionary_file(name).read_bytes())
    return digest.hexdigest()[:12]


HARD_WORD_LETTERS = 8  # English words this long ("granuloma") are still worth biasing towards


@cache
def glossary_hotwords(max_chars: int = 600) -> str:
    """Key words to bias ASR decoding: the glossary's core vocabulary (words an English speller does
    not know, or long ones), ranked by how many curated terms use them ("carcinoma" before "Verocay")."""
    lexicon = load_lexicon()
    uses: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for term in lexicon.terms:
        for word in dict.fromkeys(re.findall(r"[A-Za-z]{5,}", " ".join(term.spellings))):
            key = fold(word)
            if key not in lexicon.english or len(key) >= HARD_WORD_LETTERS:
                uses[key] += 1
                spelled.setdefault(key, word)
    chosen: list[str] = []
    length = 0
    for key, _ in sorted(uses.items(), key=lambda item: (-item[1], item[0])):
        if length + len(spelled[key]) + 2 > max_chars:
            break
        chosen.append(spelled[key])
        length += len(spelled[key]) + 2
    return ", ".join(chosen)


def is_unknown(core: str, lexicon: Lexicon) -> bool:
    """A word no dictionary knows, judging hyphenated and elided words by their parts."""
    if not re.search(r"[A-Za-z]", core) or re.search(r"\d", core) or len(core) < 3:
        return False
    if lexicon.is_known(core):
        return False
    parts = [p for p in re.split(r"[-'\u2019]", core) if len(p) >= 3]
    return not parts or any(not lexicon.is_known(p) for p in parts)
