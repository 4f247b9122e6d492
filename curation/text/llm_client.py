"""JSON completions from any OpenAI-compatible endpoint: schema-checked, retried, cached on disk."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from typing import TypeVar

import openai
from pydantic import BaseModel, ValidationError
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from curation.config import LlmSettings
from curation.store import Store
from curation.text.prompts import Prompt

M = TypeVar("M", bound=BaseModel)

RETRY_WAIT_S = 0.5  # first backoff step; doubles (with jitter) on each retry
RETRY_WAIT_MAX_S = 30.0
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class MalformedReply(ValueError):
    """The model answered, but not with JSON of the expected shape."""


_TRANSIENT = (
    openai.RateLimitError,
    openai.InternalServerError,
    openai.APITimeoutError,
    openai.APIConnectionError,
    MalformedReply,
)


class ResponseCache:
    """Validated replies on disk under `<data root>/cache/llm/`, keyed by model, prompt version and input."""

    def __init__(self, store: Store):
        self.store = store

    @staticmethod
    def key(model: str, prompt: Prompt) -> str:
        payload = json.dumps([model, prompt.name, prompt.version, prompt.system, prompt.user])
        return hashlib.sha256(payload.encode()).hexdigest()

    def _path(self, key: str) -> str:
        return self.store.join("cache", "llm", key[:2], f"{key}.json")

    def get(self, key: str) -> dict | None:
        path = self._path(key)
        return self.store.read_json(path) if self.store.exists(path) else None

    def put(self, key: str, entry: dict) -> None:
        self.store.write_json(self._path(key), entry)


class LlmClient:
    def __init__(self, settings: LlmSettings, cache: ResponseCache):
        if not settings.base_url:
            raise ValueError("the LLM refiner needs an endpoint: set CURATION_TEXT__LLM__BASE_URL")
        self.settings = settings
        self.cache = cache
        self.client = openai.OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key or os.environ.get("OPENAI_API_KEY") or "unused",
            timeout=settings.timeout_s,
            max_retries=0,  # tenacity retries, so malformed replies are retried the same way
        )
        self._lock = threading.Lock()
        self.requests = 0  # requests sent over the network
        self.tokens_used = 0  # tokens of the replies used, cached ones included

    def complete(self, prompt: Prompt, schema: type[M]) -> M:
        key = ResponseCache.key(self.settings.model, prompt)
        entry = self.cache.get(key)
        if entry is None:
            entry = self._request_with_retries(prompt, schema)
            self.cache.put(key, entry)
        with self._lock:
            self.tokens_used += int(entry.get("tokens", 0))
        return schema.model_validate(entry["reply"])

    def _request_with_retries(self, prompt: Prompt, schema: type[BaseModel]) -> dict:
        attempts = self.settings.max_retries + 1
        request = retry(
            retry=retry_if_exception_type(_TRANSIENT),
            stop=stop_after_attempt(attempts),
            wait=wait_random_exponential(multiplier=RETRY_WAIT_S, max=RETRY_WAIT_MAX_S),
            reraise=True,
        )(self._request)
        try:
            return request(prompt, schema)
        except _TRANSIENT as exc:
            raise RuntimeError(
                f"LLM {self.settings.model} at {self.settings.base_url} failed {attempts} times "
                f"on prompt {prompt.name} v{prompt.version}: {type(exc).__name__}: {exc}"
            ) from exc
        except openai.APIStatusError as exc:
            raise RuntimeError(
                f"LLM {self.settings.model} at {self.settings.base_url} refused prompt {prompt.name}: "
                f"HTTP {exc.status_code}: {exc.message}"
            ) from exc

    def _request(self, prompt: Prompt, schema: type[BaseModel]) -> dict:
        with self._lock:
            self.requests += 1
        response = self.client.chat.completions.create(
            model=self.settings.model,
            messages=[
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": prompt.user},
            ],
            temperature=self.settings.temperature,
            response_format={"type": "json_object"},
        )
        content = (response.choices[0].message.content or "") if response.choices else ""
        try:
            reply = schema.model_validate_json(_FENCE.sub("", content.strip()))
        except ValidationError as exc:
            raise MalformedReply(
                f"reply is not valid {schema.__name__} JSON: {content[:200]!r}"
            ) from exc
        tokens = response.usage.total_tokens if response.usage else 0
        return {"reply": reply.model_dump(), "tokens": tokens, "model": self.settings.model}
