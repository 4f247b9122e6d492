"""Read Hunspell dictionaries into plain sets of word forms.

hunspell-en-med ships only a `.dic` meant to be read with the affix rules of en_US, so the
forms are expanded here (suffixes, prefixes and their cross products) into a set that answers
membership in O(1) and doubles as the candidate list for fuzzy matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AffixRule:
    strip: str
    add: str
    condition: re.Pattern[str]


@dataclass(frozen=True)
class AffixClass:
    kind: str  # "PFX" or "SFX"
    cross_product: bool
    rules: tuple[AffixRule, ...]

    def apply(self, word: str) -> list[str]:
        forms = []
        for rule in self.rules:
            if not rule.condition.search(word):
                continue
            if self.kind == "SFX":
                stem = word[: len(word) - len(rule.strip)] if rule.strip else word
                forms.append(stem + rule.add)
            else:
                forms.append(rule.add + word[len(rule.strip) :])
        return forms


def read_affixes(aff_path: Path) -> dict[str, AffixClass]:
    headers: dict[str, tuple[str, bool]] = {}
    rules: dict[str, list[AffixRule]] = {}
    for line in aff_path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) < 4 or parts[0] not in ("PFX", "SFX"):
            continue
        kind, flag = parts[0], parts[1]
        if flag not in headers:
            headers[flag] = (kind, parts[2] == "Y")
            rules[flag] = []
            continue
        strip = "" if parts[2] == "0" else parts[2]
        add = "" if parts[3] == "0" else parts[3].split("/")[0]
        condition = parts[4] if len(parts) > 4 else "."
        pattern = f"{condition}$" if kind == "SFX" else f"^{condition}"
        rules[flag].append(AffixRule(strip, add, re.compile(pattern)))
    return {
        flag: AffixClass(kind, cross, tuple(rules[flag])) for flag, (kind, cross) in headers.items()
    }


def _dictionary_entries(dic_path: Path) -> list[tuple[str, str]]:
    entries = []
    for line in dic_path.read_text(encoding="utf-8", errors="replace").splitlines():
        # the first line is a count; en_med_glut also opens with an indented licence header
        if not line or line[0].isspace() or line.isdigit():
            continue
        word, _, flags = line.partition("/")
        entries.append((word.strip(), flags.strip()))
    return entries


def expand_dictionary(dic_path: Path, affixes: dict[str, AffixClass]) -> set[str]:
    """Every word form the dictionary accepts (compounds excepted)."""
    forms: set[str] = set()
    for word, flags in _dictionary_entries(dic_path):
        forms.add(word)
        classes = [affixes[f] for f in flags if f in affixes]
        suffixed = [(c, form) for c in classes if c.kind == "SFX" for form in c.apply(word)]
        forms.update(form for _, form in suffixed)
        for prefix in (c for c in classes if c.kind == "PFX"):
            forms.update(prefix.apply(word))
            if prefix.cross_product:
                for suffix_class, form in suffixed:
                    if suffix_class.cross_product:
                        forms.update(prefix.apply(form))
    return forms
