"""Small shared helpers: repository paths and links, atomic writes, the raw-data manifest and
stand-in detection. What notebooks display is in src/page.py.

Everything here is imported by notebooks, the pipeline runner and tests alike, so
paths are anchored at the repository root, never at the working directory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RAW_DIR = ROOT / "data" / "raw"
FOIA_DIR = RAW_DIR / "foia"
CONTEXT_DIR = RAW_DIR / "context"
PROCESSED_DIR = ROOT / "data" / "processed"
REPORTS_DIR = ROOT / "reports"
FIGURES_DIR = REPORTS_DIR / "figures"
REFERENCES_DIR = ROOT / "references"
MANIFEST_NAME = "MANIFEST.sha256"
PROVENANCE_NOTE = "data/raw/PROVENANCE.md"
# Release formats the cleaner reads (calamine reads .xls, .xlsb and .ods as well as .xlsx).
FOIA_SUFFIXES = (".xlsx", ".xls", ".xlsb", ".ods", ".csv", ".csv.gz", ".txt")
SIDECAR_SUFFIX = ".provenance.json"
NOT_A_RELEASE = (SIDECAR_SUFFIX, ".md")  # notes and sidecars that live beside a release


class CleaningError(ValueError):
    """The input cannot be cleaned; the message names the file (and sheet, row, column)."""


def release_suffix(path: Path) -> str:
    """The file's release format suffix ('.csv.gz' counts as one), lower case."""
    name = path.name.lower()
    return ".csv.gz" if name.endswith(".csv.gz") else path.suffix.lower()


def dates_as_text(value):
    """`value` with every date in it as ISO text (YAML reads an unquoted 2017-03-31 as a date,
    which papermill cannot pass); dicts and lists are followed."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [dates_as_text(v) for v in value]
    return value


def pipeline_defaults() -> dict:
    """pipeline.yml's defaults.parameters, dates as ISO text: settings made once for every
    notebook that declares them (the data period's `period_end`)."""
    data = yaml.safe_load((ROOT / "pipeline.yml").read_text(encoding="utf-8")) or {}
    return dates_as_text((data.get("defaults") or {}).get("parameters") or {})


def repo_path(path: str | os.PathLike) -> Path:
    """Return `path` as an absolute Path; relative paths are taken from the repository root."""
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


def relative_to_root(path: str | os.PathLike) -> str:
    """Return `path` relative to the repository root when it lies inside it, else absolute."""
    p = Path(path).resolve()
    try:
        return p.relative_to(ROOT).as_posix()
    except ValueError:
        return p.as_posix()


# ---------------------------------------------------------------- atomic writes


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds.

    A crash or Ctrl-C inside the block leaves `target` as it was and removes the temporary file,
    so no half-written output can look finished.
    """
    target = Path(target)
    check_writable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if check_published_unchanged(target, tmp_path):
            return  # the same bytes: the published file is left as it is, time included
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(target: str | os.PathLike, text: str) -> Path:
    """Write `text` (UTF-8, '\\n' line ends) to `target` atomically; return the target path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(target)


def write_json_atomic(target: str | os.PathLike, data: object) -> Path:
    """Write `data` as sorted, indented JSON to `target` atomically."""
    return write_text_atomic(target, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame):
    """A copy of a DataFrame for download: a text cell that a spreadsheet would run as a formula
    (it starts with =, +, -, @, a tab or a carriage return; OWASP's CSV-injection advice) gets a
    leading apostrophe, so it shows as text. Numbers, including negative ones, are unchanged."""
    import pandas as pd  # here: the Snakefile imports this module, and needs no pandas

    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
            continue
        text = values.astype("str")
        risky = values.notna() & text.str.startswith(FORMULA_START).fillna(False)
        if risky.any():
            numeric = pd.to_numeric(text[risky], errors="coerce").notna()
            risky[risky] = ~numeric.to_numpy()
        if risky.any():
            out[column] = values.astype(object).where(~risky, "'" + text)
    return out


def publish_csv(source: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Copy a CSV into the published site in the spreadsheet-safe form (spreadsheet_safe); a
    file with no risky cell is copied byte for byte."""

    import pandas as pd  # here: the Snakefile imports this module, and needs no pandas

    frame = pd.read_csv(source, dtype="str", keep_default_na=False)
    safe = spreadsheet_safe(frame)
    if safe.equals(frame):
        shutil.copyfile(source, target)
        return Path(target)
    return write_csv_atomic(safe, target)


def write_csv_atomic(frame, target: str | os.PathLike) -> Path:
    """Write a DataFrame to CSV (no index, '\\n' line ends) atomically; return the target path."""
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")
    return Path(target)


# ---------------------------------------------------------------- checksums and manifest


def sha256_file(path: str | os.PathLike) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ManifestError(RuntimeError):
    """data/raw does not match its checksum manifest."""


def _manifest_files(raw_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in raw_dir.rglob("*")
        if p.is_file() and p.name != MANIFEST_NAME and not p.name.startswith(".")
    )


def compute_manifest(raw_dir: str | os.PathLike = RAW_DIR) -> dict[str, str]:
    """Return {relative posix path: sha256} for every file under `raw_dir` except the manifest."""
    raw_dir = Path(raw_dir)
    return {p.relative_to(raw_dir).as_posix(): sha256_file(p) for p in _manifest_files(raw_dir)}


def read_manifest(raw_dir: str | os.PathLike = RAW_DIR) -> dict[str, str]:
    """Parse `raw_dir/MANIFEST.sha256` (sha256sum format) into {path: sha256}."""
    manifest = Path(raw_dir) / MANIFEST_NAME
    entries: dict[str, str] = {}
    for lineno, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise ManifestError(f"{manifest}:{lineno}: expected '<sha256>  <path>', got {line!r}")
        entries[name] = digest
    return entries


def manifest_text(entries: dict[str, str]) -> str:
    """Render manifest entries in `sha256sum -c` format, sorted by path."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(entries.items()))


def verify_manifest(raw_dir: str | os.PathLike = RAW_DIR) -> dict[str, str]:
    """Check every file under `raw_dir` against its manifest; return the entries when all match.

    Raises ManifestError naming each changed, missing or unlisted file, and saying how to record a
    deliberate change.
    """
    raw_dir = Path(raw_dir)
    manifest = raw_dir / MANIFEST_NAME
    if not manifest.exists():
        raise ManifestError(
            f"{manifest} is missing: the raw data cannot be verified. "
            "Review data/raw, then run `make manifest` to record its checksums."
        )
    expected = read_manifest(raw_dir)
    actual = compute_manifest(raw_dir)
    problems = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            problems.append(f"missing: {name} (listed in the manifest, not on disk)")
        elif name not in expected:
            problems.append(f"not in manifest: {name}")
        elif expected[name] != actual[name]:
            problems.append(
                f"changed: {name} (manifest {expected[name][:12]}…, file {actual[name][:12]}…)"
            )
    if problems:
        raise ManifestError(
            f"{raw_dir} does not match {manifest.name}:\n  - "
            + "\n  - ".join(problems)
            + "\nRaw data is read-only input. If you added or replaced a file on purpose (for "
            "example the real FOIA release), review it and run `make manifest`; otherwise restore "
            "the original files (git checkout -- data/raw)."
        )
    return expected


def find_manifest_dir(path: str | os.PathLike) -> Path | None:
    """Return the nearest folder at or above `path` holding a MANIFEST.sha256, or None."""
    p = Path(path).resolve()
    for folder in [p, *p.parents] if p.is_dir() else p.parents:
        if (folder / MANIFEST_NAME).exists():
            return folder
    return None


# ---------------------------------------------------------------- which FOIA file, and is it real?


@dataclass(frozen=True)
class DataStatus:
    """What the FOIA input is: the labelled stand-in or a real release."""

    path: Path
    sha256: str
    is_standin: bool
    sidecar: dict

    @property
    def label(self) -> str:
        return "stand-in (illustrative)" if self.is_standin else "FOIA release"


def _sidecar_for(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def check_input_file(path: Path) -> None:
    """Refuse an input the manifest cannot vouch for: a hidden file, a dangling symlink, or a
    symlink pointing outside the folder that holds the raw data's manifest."""
    if path.name.startswith("."):
        raise CleaningError(
            f"{path}: a hidden file (its name starts with '.'); the cleaner reads no hidden "
            "files, because the checksum manifest does not cover them. Rename it or move it out."
        )
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            raise CleaningError(f"{path}: a symbolic link that points to nothing ({target})")
        anchor = find_manifest_dir(path.parent) or path.parent.resolve()
        if not _inside(target, anchor.resolve()):
            raise CleaningError(
                f"{path}: a symbolic link to {target}, outside {anchor}: raw data must be "
                "inside the folder its checksum manifest covers; copy the file in instead"
            )


def check_input_folder(path: Path, subfolders: bool = True) -> None:
    """Refuse a FOIA folder the manifest cannot vouch for: a folder (or a link to one) that sits
    under a folder with a MANIFEST.sha256 but resolves outside it, and a subfolder holding files
    (the cleaner reads only the files directly in the folder; a release one level down would
    otherwise be skipped while the stand-in is used)."""
    lexical = Path(os.path.abspath(path))
    anchor = next((f for f in lexical.parents if (f / MANIFEST_NAME).exists()), None)
    if anchor is not None and not _inside(path.resolve(), anchor.resolve()):
        raise CleaningError(
            f"{path}: a link to {path.resolve()}, outside {anchor}: the checksum manifest there "
            "cannot vouch for it; copy the release into the folder instead"
        )
    for entry in sorted(path.iterdir()) if subfolders else []:
        if entry.is_dir() and not entry.name.startswith("."):
            inside = sorted(p.name for p in entry.rglob("*") if p.is_file())
            if inside:
                raise CleaningError(
                    f"{entry}: a subfolder holding {', '.join(inside[:3])}"
                    f"{' …' if len(inside) > 3 else ''}; the cleaner reads only files directly in "
                    f"{path}. Move the release up into it (then run `make manifest`)."
                )


def resolve_foia_path(raw_path: str | os.PathLike) -> Path:
    """Turn the `raw_path` parameter into one FOIA file.

    A file is returned as it is (after check_input_file). For a folder: every entry is looked
    at. Sidecars and notes (.provenance.json, .md) are skipped; a hidden or linked file that
    the manifest cannot vouch for, or a file in a format the cleaner cannot read, is an error
    naming it (never silently ignored). Of the readable releases, a single one that is not the
    stand-in wins (the real release dropped in beside it); with none, the stand-in is used; with
    several, the choice is ambiguous and the error lists them.
    """
    path = repo_path(raw_path)
    if not path.exists() and not path.is_symlink():
        raise FileNotFoundError(f"FOIA input not found: {path}")
    if not path.is_dir():
        check_input_folder(path.parent, subfolders=False)
        check_input_file(path)
        return path
    check_input_folder(path)
    candidates = []
    for entry in sorted(path.iterdir()):
        if entry.name.endswith(NOT_A_RELEASE) or entry.name in (".gitkeep", ".DS_Store"):
            continue
        check_input_file(entry)
        if entry.is_dir():
            continue
        if release_suffix(entry) not in FOIA_SUFFIXES:
            raise CleaningError(
                f"{entry}: looks like a release, but the cleaner cannot read "
                f"{release_suffix(entry) or 'files without a suffix'}; expected one of "
                f"{', '.join(FOIA_SUFFIXES)}. Save it as .xlsx or .csv, or move it out of {path}."
            )
        candidates.append(entry)
    if not candidates:
        raise FileNotFoundError(f"no FOIA file ({', '.join(FOIA_SUFFIXES)}) in {path}")
    standins = [p for p in candidates if data_status(p).is_standin]
    others = [p for p in candidates if p not in standins]
    if len(others) == 1:
        return others[0]
    if len(others) > 1:
        names = ", ".join(p.name for p in others)
        raise CleaningError(
            f"{path} holds several FOIA files ({names}); pass raw_path=<one file> to choose"
        )
    return standins[0]


def data_status(path: str | os.PathLike) -> DataStatus:
    """Say whether `path` is the labelled stand-in: its sidecar must say so and match its bytes."""
    path = Path(path)
    digest = sha256_file(path)
    sidecar_path = _sidecar_for(path)
    sidecar: dict = {}
    if sidecar_path.exists():
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
    is_standin = bool(sidecar.get("is_standin")) and sidecar.get("sha256") == digest
    return DataStatus(path=path, sha256=digest, is_standin=is_standin, sidecar=sidecar)


# ---------------------------------------------------------------- links


PROVENANCE_PAGE = "provenance.html"  # rendered into reports/ so the site stands alone
# The pipeline sets this to "reports" for its runs: links in a built page are relative to the
# page's own folder. Elsewhere (JupyterLab) links are relative to the kernel's folder, which is the
# notebook's, so the same link works in the published HTML and in the open notebook.
LINKS_FROM_ENV = "STCA_LINKS_FROM"  # the folder a page is written to: links are relative to it
PROTECTED_ENV = "STCA_PROTECTED"  # folders an ad hoc run may not write into (os.pathsep-separated)
# Set by `make lab` for its kernels: a notebook may rewrite a published file (reports/,
# data/processed/) only with the bytes it already has, so exploring can never change the site.
PUBLISHED_UNCHANGED_ENV = "STCA_PUBLISHED_UNCHANGED"


def links_base() -> Path:
    """The folder page links are relative to: the page's folder in a run of src/run.py ("reports"
    means reports/), the working directory otherwise (JupyterLab runs a notebook in its folder)."""
    value = os.environ.get(LINKS_FROM_ENV)
    if not value:
        return Path.cwd()
    return REPORTS_DIR if value == "reports" else Path(value)


def publishing_site() -> bool:
    """True when the page being built is one of the site's (written into reports/)."""
    return links_base().resolve() == REPORTS_DIR.resolve()


def link_href(target: str | os.PathLike) -> str:
    """An href for `target` (a path in the repository, absolute or root-relative), relative to the
    folder the page is written to (see links_base)."""
    return os.path.relpath(repo_path(target).resolve(), links_base().resolve()).replace(os.sep, "/")


def check_published_unchanged(target: Path, new: Path) -> bool:
    """In a JupyterLab kernel (PUBLISHED_UNCHANGED_ENV set), PermissionError with directions
    when writing `new` onto `target` would add or change a file in reports/ or data/processed/:
    re-running a pipeline notebook as the pipeline runs it gives the same bytes (True: the
    caller leaves the file untouched); other parameters would put an experiment on the
    published site, which only `make reports` writes. False: write as usual."""
    if os.environ.get(PUBLISHED_UNCHANGED_ENV) != "1":
        return False
    full = Path(target).resolve()
    if not any(full.is_relative_to(d.resolve()) for d in (REPORTS_DIR, PROCESSED_DIR)):
        return False
    if full.exists() and full.read_bytes() == Path(new).read_bytes():
        return True
    raise PermissionError(
        f"{relative_to_root(full)}: this would {'change' if full.exists() else 'add'} a published "
        "file, which only `make reports` writes. To explore with other parameters, point the "
        "output parameters (figures_dir, processed_dir, ...) under build/adhoc/, or run "
        "`make scratch NB=<report>` or `make run NB=<report> PARAMS=<file.yml>`."
    )


def check_writable(target: str | os.PathLike) -> None:
    """PermissionError when `target` is inside a folder this process may not write (an ad hoc
    run may not write into reports/ or data/processed/, which only `make reports` writes)."""
    protected = [Path(p) for p in os.environ.get(PROTECTED_ENV, "").split(os.pathsep) if p]
    full = repo_path(target).resolve()
    for folder in protected:
        if full.is_relative_to(folder.resolve()):
            raise PermissionError(
                f"{relative_to_root(full)}: an ad hoc run may not write into "
                f"{relative_to_root(folder)}/ (only `make reports` does); give this output a path "
                f"under build/adhoc/ in the parameters file"
            )


def main(argv: list[str] | None = None) -> int:
    """`python -m src.helpers write-manifest` records data/raw checksums (a deliberate step)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["write-manifest"]:
        raw_dir = Path(argv[1]) if len(argv) > 1 else RAW_DIR
        entries = compute_manifest(raw_dir)
        (raw_dir / MANIFEST_NAME).write_text(manifest_text(entries), encoding="utf-8")
        print(f"recorded {len(entries)} files in {raw_dir / MANIFEST_NAME}")
        return 0
    print("usage: python -m src.helpers write-manifest [RAW_DIR]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
