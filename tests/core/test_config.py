"""Settings are refused when they load, by name: unknown keys, out-of-range values, a missing file."""

import os
import re

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError

from curation.config import Settings, config_hash, load_settings, with_overrides


@pytest.fixture()
def toml(tmp_path):
    def write(text: str):
        path = tmp_path / "settings.toml"
        path.write_text(text)
        return path

    return write


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("data_rot = 'x'\n", "data_rot"),
        ("[asr]\nbeam_sise = 3\n", "asr.beam_sise"),
        ("[vision.clip]\nbatchsize = 4\n", "vision.clip.batchsize"),
        ("[text.llm]\napi_key = 'k'\nmodle = 'm'\n", "text.llm.modle"),
        ("[exprot]\nseed = 1\n", "exprot"),
    ],
)
def test_an_unknown_key_in_the_file_is_refused_by_name(toml, text, named):
    path = toml(text)
    with pytest.raises(SettingsError, match=re.escape(f"unknown setting '{named}' in {path}")):
        load_settings(path)


def test_every_unknown_key_of_the_file_is_named_at_once(toml):
    path = toml("[asr]\nbeam_sise = 3\n[export]\nshard = 2\nseed = 1\n")
    with pytest.raises(SettingsError, match=r"unknown settings 'asr.beam_sise', 'export.shard' in "):
        load_settings(path)


def test_an_unknown_variable_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("CURATION_EXPORT__SEED", "4")
    assert Settings().export.seed == 4
    monkeypatch.setenv("CURATION_PROMPTS_DIR", "/somewhere")  # read by the text stage, not a setting
    assert Settings().export.seed == 4
    for variable in ("CURATION_ASR__BEAM_SISE", "CURATION_EXPROT__SEED", "CURATION_DATAROOT"):
        with monkeypatch.context() as env:
            env.setenv(variable, "2")
            with pytest.raises(SettingsError, match=f"unknown setting variable '{variable}' in the environment"):
                load_settings()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[align]\nmin_overlap = -5\n", "align.min_overlap"),
        ("[export]\nval_fraction = 2\n", "export.val_fraction"),
        ("[asr]\nbeam_size = -2\n", "asr.beam_size"),
        ("[export]\nshard_size = 0\n", "export.shard_size"),
        ("[export]\ntext_types = []\n", "export.text_types"),
        ("[export]\ndataset = '..'\n", "export.dataset"),
        ("[frames]\nanalysis_fps = 0\n", "frames.analysis_fps"),
        ("[frames]\ndedup_hamming = -2\n", "frames.dedup_hamming"),
        ("[vision]\nhistology_threshold = 1.5\n", "vision.histology_threshold"),
        ("[vision.clip]\nbatch_size = 0\n", "vision.clip.batch_size"),
        ("[text.llm]\nconcurrency = 0\n", "text.llm.concurrency"),
        ("[fetch]\nretries = -1\n", "fetch.retries"),
        ("[vision]\nbackend = 'ensemble'\nensemble_members = []\n", "ensemble_members is empty"),
    ],
)
def test_a_value_out_of_range_is_refused_when_the_settings_load(toml, text, named):
    with pytest.raises(ValidationError, match=named):
        load_settings(toml(text))


def test_out_of_range_values_from_variables_and_overrides_are_refused_too(monkeypatch):
    with monkeypatch.context() as env:
        env.setenv("CURATION_EXPORT__SHARD_SIZE", "0")
        with pytest.raises(ValidationError, match="export.shard_size"):
            load_settings()
    with pytest.raises(ValidationError, match="export.val_fraction"):
        with_overrides(load_settings(), {"export": {"val_fraction": -0.1}})


def test_the_ends_of_each_range_are_accepted(toml):
    settings = load_settings(toml(
        "[export]\nval_fraction = 1.0\nmin_caption_words = 0\n[frames]\ndedup_hamming = -1\n"
        "[align]\nmin_overlap = 0\nlead_s = 0\n[asr]\nbeam_size = 1\ncpu_threads = 0\n"
    ))
    assert settings.export.val_fraction == 1.0 and settings.frames.dedup_hamming == -1
    assert settings.asr.beam_size == 1 and settings.align.min_overlap == 0


def test_a_file_applies_to_its_own_load_only(toml, monkeypatch):
    monkeypatch.delenv("CURATION_CONFIG", raising=False)
    path = toml("[export]\nseed = 7\n")
    assert load_settings(path).export.seed == 7
    assert "CURATION_CONFIG" not in os.environ
    assert load_settings().export.seed == 0, "a later load without a file uses no file"


def test_the_config_variable_names_a_file_when_no_argument_does(toml, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATION_CONFIG", str(toml("[export]\nseed = 7\n")))
    assert load_settings().export.seed == 7
    other = tmp_path / "other.toml"
    other.write_text("[export]\nseed = 9\n")
    assert load_settings(other).export.seed == 9


def test_a_missing_or_unreadable_file_is_refused(toml, tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="nope.toml does not exist"):
        load_settings(tmp_path / "nope.toml")
    monkeypatch.setenv("CURATION_CONFIG", str(tmp_path / "typo.toml"))
    with pytest.raises(FileNotFoundError, match="typo.toml does not exist"):
        load_settings()
    monkeypatch.delenv("CURATION_CONFIG")
    broken = toml("[export\nseed = 1\n")
    with pytest.raises(SettingsError, match=re.escape(f"{broken} is not valid TOML")):
        load_settings(broken)


def test_llm_connection_settings_stay_out_of_the_text_hash():
    shipped = config_hash(Settings().text)
    connection = {"api_key": "secret", "timeout_s": 5.0, "max_retries": 0, "concurrency": 16}
    assert config_hash(Settings(text={"llm": connection}).text) == shipped
    assert config_hash(Settings(text={"llm": {"model": "other-model"}}).text) != shipped
    assert config_hash(Settings(text={"llm": {"base_url": "http://127.0.0.1:1/v1"}}).text) != shipped
    assert config_hash(Settings(text={"chunk_sentences": 3}).text) != shipped


def test_download_connection_settings_stay_out_of_the_fetch_hash():
    shipped = config_hash(Settings().fetch)
    connection = {"retries": 9, "sleep_between_downloads_s": 2.0, "rate_limit_bytes_per_s": 10**6}
    assert config_hash(Settings(fetch=connection).fetch) == shipped
    assert config_hash(Settings(fetch={"format": "b"}).fetch) != shipped
