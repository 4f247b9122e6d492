"""The lock installs on a fresh machine whatever the package index has published since.

pip's hash mode treats a dependency asked for with extras (prefect's `httpx[http2]>=0.23`) as
unpinned once the index holds a release newer than the lock's pin, unless the lock names the
same extras on its pin. CI broke that way when httpx 0.29 came out.
"""

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = Path(__file__).resolve().parents[2] / "requirements.lock"


def _locked_extras() -> dict[str, set[str]]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            requirement = Requirement(line.rstrip(" \\"))
            pins[canonicalize_name(requirement.name)] = set(requirement.extras)
    return pins


def _extras_asked_for_by_installed_packages() -> list[tuple[str, Requirement]]:
    asked = []
    for dist in metadata.distributions():
        for text in dist.requires or []:
            requirement = Requirement(text)
            applies = requirement.marker is None or requirement.marker.evaluate({"extra": ""})
            if requirement.extras and applies:
                asked.append((dist.metadata["Name"], requirement))
    return asked


def test_every_extra_a_locked_package_asks_for_is_on_its_pin():
    pins = _locked_extras()
    asked = _extras_asked_for_by_installed_packages()
    assert any(str(req).startswith("httpx[http2]") for _, req in asked), "prefect's httpx[http2] not seen"
    missing = [
        f"{parent} asks for {req}; the lock pins {name}[{','.join(sorted(pins[name]))}]"
        for parent, req in asked
        if (name := canonicalize_name(req.name)) in pins and not req.extras <= pins[name]
    ]
    assert not missing, "\n".join(missing)
