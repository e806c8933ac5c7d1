"""Find transcript files from what the user named: files, folders (searched recursively) and globs."""
from __future__ import annotations

import glob
from pathlib import Path
from typing import Sequence

from qualcode.errors import Diagnostic


def transcript_suffixes() -> tuple[str, ...]:
    """File name endings taken from folders: those of every input format qualcode reads."""
    from qualcode.transcripts.read import FORMATS

    suffixes = {f".{name}" for name in FORMATS}
    for fmt in FORMATS.values():  # a format may list more extensions ('markdown', 'webvtt')
        suffixes.update(f".{ext}" for ext in getattr(fmt, "extensions", ()) if ext)
    return tuple(sorted(suffixes))


#: Documents that sit next to transcripts in a study folder; skipped when a folder is searched.
NOT_TRANSCRIPTS = frozenset({"readme", "license", "licence", "notice", "changelog", "contributing"})


def _skipped(path: Path, root: Path) -> bool:
    """Hidden files and folders, and README-like documents, are not transcripts."""
    return (any(part.startswith(".") for part in path.relative_to(root).parts)
            or path.stem.lower() in NOT_TRANSCRIPTS)


def find_transcripts(paths: Sequence[str | Path], *,
                     exclude: Sequence[str | Path] = ()) -> tuple[list[Path], list[Diagnostic]]:
    """Files named, transcripts found in folders (recursively; hidden files and READMEs skipped) and glob matches,
    each once, in argument order (sorted within a folder or glob); failures for names that match nothing."""
    suffixes = transcript_suffixes()
    skip = [Path(p).resolve() for p in exclude]
    found: list[Path] = []
    failures: list[Diagnostic] = []
    for arg in paths:
        path = Path(arg)
        name = str(arg)
        if path.is_dir():
            root = path
            hits = sorted((p for p in root.rglob("*") if p.suffix.lower() in suffixes and p.is_file()
                           and not _skipped(p, root)), key=lambda p: p.relative_to(root).as_posix())
            hits = [p for p in hits if not any(s == p.resolve() or s in p.resolve().parents for s in skip)]
            if not hits:
                failures.append(Diagnostic(
                    "QC502", f"folder holds no transcripts ({', '.join(suffixes)} files)", name,
                    hint="name the folder that holds the transcripts, or the files themselves"))
            found.extend(hits)
        elif path.exists():
            found.append(path)
        elif glob.has_magic(name):
            hits = sorted(Path(p) for p in glob.glob(name, recursive=True) if Path(p).is_file())
            if not hits:
                failures.append(Diagnostic(
                    "QC501", "pattern matches no files", name,
                    hint="check the pattern; quote it so the shell passes it to qualcode unchanged"))
            found.extend(hits)
        else:
            failures.append(Diagnostic("QC001", "transcript not found", name, hint="check the path"))
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values()), failures
