"""A model folder: the spaCy pipeline in `pipeline/` and a `qualcode-model.json` manifest.

The manifest records what the model was trained on and for: format version, qualcode
and spaCy versions, the codebook's name and SHA-256, the labels (theme ids), a threshold
per label, the features used and the held-out scores. Saving writes a new folder beside
the target and renames it into place, so a crash leaves the old model or the new one.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from qualcode.errors import WARNING, Diagnostic, QualcodeError
from qualcode.models import Codebook

FORMAT = "qualcode-model"
FORMAT_VERSION = 1
MANIFEST = "qualcode-model.json"
PIPELINE_DIR = "pipeline"


class ModelError(QualcodeError):
    """A model folder cannot be written, read or used."""


def codebook_hash(codebook: Codebook) -> str | None:
    """SHA-256 of the codebook file's bytes (None if it cannot be read)."""
    try:
        return hashlib.sha256(Path(codebook.path).read_bytes()).hexdigest()
    except OSError:
        return None


def save_model(model, path: str | Path) -> Path:
    """Write `model` to the folder `path`, replacing a previous qualcode model there (never other folders)."""
    from qualcode.engine import textcat
    from qualcode.output.write import atomic_write_text

    path = Path(path)
    if path.exists() and (not path.is_dir() or (any(path.iterdir()) and not (path / MANIFEST).is_file())):
        raise ModelError(Diagnostic(
            "QC613", "exists and is not a qualcode model folder; not overwriting it", str(path),
            hint="choose a new folder for --out (qualcode only replaces a folder holding qualcode-model.json)"))
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise ModelError(Diagnostic("QC002", f"cannot write output: {exc.strerror}", str(path),
                                    hint="check the folder exists and is writable")) from None
    try:
        textcat.save(model.nlp, tmp / PIPELINE_DIR)
        atomic_write_text(tmp / MANIFEST, json.dumps(model.manifest, indent=2, ensure_ascii=False) + "\n")
        old = None
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=parent))
            os.replace(path, old / "model")
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelError(Diagnostic("QC002", f"cannot write output: {exc.strerror}", str(path),
                                    hint="check free disk space and permissions")) from None
    model.path = str(path)
    return path


def read_manifest(path: str | Path) -> dict:
    """The manifest of the model folder at `path`, checked."""
    path = Path(path)
    name = str(path)
    if not path.is_dir():
        raise ModelError(Diagnostic("QC610", "model folder not found", name,
                                    hint="give the folder written by 'qualcode train --out'"))
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise ModelError(Diagnostic("QC610", f"not a qualcode model folder (no {MANIFEST})", name,
                                    hint="give the folder written by 'qualcode train --out'"))
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        raise ModelError(Diagnostic("QC611", f"model manifest is unreadable ({type(exc).__name__})",
                                    str(manifest_path), line,
                                    hint="retrain the model with 'qualcode train'")) from None
    problems = []
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        problems.append("it is not a qualcode model manifest")
    elif not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        problems.append(f"format version {manifest.get('format_version')!r} is newer than this qualcode reads "
                        f"({FORMAT_VERSION})")
    elif not isinstance(manifest.get("labels"), list) or not isinstance(manifest.get("thresholds"), dict):
        problems.append("'labels' or 'thresholds' is missing")
    if problems:
        raise ModelError(Diagnostic("QC611", f"model manifest cannot be used: {problems[0]}", str(manifest_path),
                                    hint="upgrade qualcode, or retrain the model with 'qualcode train'"))
    return manifest


def load_model(path: str | Path):
    """The model saved in the folder `path`."""
    from qualcode.engine import textcat
    from qualcode.model.train import Model

    manifest = read_manifest(path)
    try:
        nlp = textcat.load(Path(path) / PIPELINE_DIR)
        labels = textcat.labels_of(nlp)
    except Exception as exc:  # spaCy raises OSError, ValueError, KeyError… for a damaged pipeline
        raise ModelError(Diagnostic("QC611", f"model pipeline cannot be loaded ({type(exc).__name__})",
                                    str(Path(path) / PIPELINE_DIR),
                                    hint="retrain the model with 'qualcode train'")) from None
    if list(labels) != list(manifest["labels"]):
        raise ModelError(Diagnostic("QC611", "model manifest and pipeline disagree on the labels",
                                    str(Path(path) / MANIFEST), hint="retrain the model with 'qualcode train'"))
    thresholds = {label: float(manifest["thresholds"].get(label, 0.5)) for label in labels}
    roles = {k: tuple(v) for k, v in (manifest.get("label_roles") or {}).items()}
    return Model(nlp, tuple(labels), thresholds, (manifest.get("features") or {}).get("context", "text"), roles,
                 dict(manifest.get("label_paths") or {}), manifest, str(path))


def check_model_codebook(model, codebook: Codebook) -> tuple[list[Diagnostic], tuple[str, ...]]:
    """Warnings when the model was trained with another codebook, and the labels the codebook still has."""
    diags: list[Diagnostic] = []
    where = model.path or "<model>"
    recorded = (model.manifest.get("codebook") or {}).get("sha256")
    if recorded and recorded != codebook_hash(codebook):
        diags.append(Diagnostic("QC612", f"model was trained with a different version of the codebook "
                                         f"than {codebook.path}", where,
                                hint="retrain the model after changing the codebook", severity=WARNING))
    known = set(codebook.theme_ids)
    usable = tuple(label for label in model.labels if label in known)
    missing = [label for label in model.labels if label not in known]
    if missing:
        diags.append(Diagnostic("QC614", f"model themes not in the codebook are skipped: {', '.join(missing)}",
                                where, hint="retrain the model with this codebook", severity=WARNING))
    return diags, usable
