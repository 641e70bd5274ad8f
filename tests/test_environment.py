"""One set of versions: requirements.lock (uv) and environment.yml (conda) must agree, and the
lock must satisfy pyproject.toml's requirements."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from src.helpers import ROOT


def lock_pins() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    return {m[0].lower(): m[1] for m in re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", text, re.M)}


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return {name.lower(): version for name, version in (p.split("==") for p in pip)}


def direct_requirements() -> list[Requirement]:
    """Everything the lock installs: dependencies and every extra but `cluster` (installed beside
    the environment, see test_the_cluster_extra_is_pinned_and_fits_the_lock)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [
        r
        for name, extra in project["optional-dependencies"].items()
        if name != "cluster"
        for r in extra
    ]
    return [Requirement(r) for r in reqs]


def test_the_cluster_extra_is_pinned_and_fits_the_lock():
    """The SLURM plugin's pins are exact, and what each of its packages requires is either pinned
    beside it or in requirements.lock at a version it accepts (read from the installed copy)."""
    from importlib.metadata import PathDistribution
    from pathlib import Path

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    cluster = [Requirement(r) for r in project["optional-dependencies"]["cluster"]]
    pins = {r.name.lower(): str(r.specifier).removeprefix("==") for r in cluster}
    assert all(str(r.specifier).startswith("==") for r in cluster), cluster
    available = {**lock_pins(), **pins}
    target = Path(__import__("sys").prefix) / "cluster"
    infos = sorted(target.glob("*.dist-info"))
    assert infos, f"{target}: run `make cluster-env` (make test does)"
    for info in infos:
        for text in PathDistribution(info).requires or []:
            req = Requirement(text)
            if req.marker and not req.marker.evaluate({"extra": ""}):
                continue
            name = req.name.lower().replace("_", "-")
            assert name in available, f"{info.name} needs {req}, which nothing pins"
            assert req.specifier.contains(available[name], prereleases=True), (info.name, req)


def test_environment_yml_pins_what_the_lock_pins():
    lock, conda = lock_pins(), conda_pins()
    mismatched = {n: (v, lock.get(n)) for n, v in conda.items() if lock.get(n) != v}
    assert mismatched == {}, "environment.yml and requirements.lock disagree: {name: (yml, lock)}"


def test_every_direct_dependency_is_in_both():
    lock, conda = lock_pins(), conda_pins()
    for req in direct_requirements():
        name = req.name.lower()
        assert name in conda, f"{name} missing from environment.yml"
        assert req.specifier.contains(lock[name], prereleases=True), (
            f"lock {name}=={lock[name]} breaks {req}"
        )


def test_required_floors():
    lock = lock_pins()
    assert Requirement("pandas>=3.1").specifier.contains(lock["pandas"])
    assert Requirement("papermill>=2.6").specifier.contains(lock["papermill"])


def test_conda_python_matches_project():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]


def test_ci_and_workflow_run_the_readme_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make reports" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "reports.yml").read_text())
    runs = [step.get("run", "") for step in workflow["jobs"]["build"]["steps"]]
    assert "make reports" in runs and "make test" in runs
    uploads = [
        s
        for s in workflow["jobs"]["build"]["steps"]
        if "upload-pages-artifact" in s.get("uses", "")
    ]
    assert uploads and uploads[0]["with"]["path"] == "reports"
