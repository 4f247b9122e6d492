"""Versioned Jinja2 prompt templates from the repository's prompts/ folder."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

PROMPTS_DIR = Path(
    os.environ.get("CURATION_PROMPTS_DIR", Path(__file__).resolve().parents[2] / "prompts")
)
# the templates the LLM refiner renders
CORRECTION_PROMPT, EXTRACTION_PROMPT = "asr_correction", "med_roi_extraction"
_VERSION = re.compile(r"^\{#-?\s*version:\s*(\S+)\s*-?#\}")


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    system: str
    user: str


def _environment() -> jinja2.Environment:
    if not PROMPTS_DIR.is_dir():
        raise RuntimeError(
            f"prompt folder {PROMPTS_DIR} is missing; set CURATION_PROMPTS_DIR to the repository's prompts/"
        )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    env.filters["as_json"] = lambda value: json.dumps(value, ensure_ascii=False)
    return env


@cache
def template_version(name: str) -> str:
    source = (PROMPTS_DIR / f"{name}.j2").read_text(encoding="utf-8")
    found = _VERSION.match(source)
    if found is None:
        raise ValueError(
            f"prompt template {name}.j2 must start with a '{{#- version: N -#}}' header"
        )
    return found.group(1)


def render(name: str, **variables) -> Prompt:
    template = _environment().get_template(f"{name}.j2")
    context = template.new_context(variables)
    system, user = (
        "".join(template.blocks[block](context)).strip() for block in ("system", "user")
    )
    return Prompt(name=name, version=template_version(name), system=system, user=user)
