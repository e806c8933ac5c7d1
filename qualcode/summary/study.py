"""Who is who in a study: each transcript's dyad, perspective, group, setting and kind.

Read from the transcript's front matter (`dyad`, `role`, `group`, `setting`, `kind`) or from a
manifest CSV with one row per transcript (`transcript, dyad, role, group, setting, kind`;
`transcript` is the transcript's id or its file name). A manifest value wins over front matter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import WARNING, Diagnostic, QualcodeError
from qualcode.models import Transcript

#: The perspectives a dyadic summary compares; an interview gives exactly one of them.
PERSPECTIVES = ("client", "therapist", "interpreter")
KINDS = ("interview", "session")
MANIFEST_COLUMNS = ("transcript", "dyad", "role", "group", "setting", "kind")


class StudyError(QualcodeError):
    """The study's transcripts or manifest cannot be put together into dyads."""


@dataclass(frozen=True)
class Member:
    """One transcript's place in the study."""

    transcript: Transcript
    dyad: str
    kind: str  # interview | session
    role: str | None  # the perspective an interview gives
    group: str | None = None
    setting: str | None = None

    @property
    def id(self) -> str:
        return self.transcript.id


@dataclass(frozen=True)
class ManifestRow:
    line: int
    values: dict[str, str]


def natural_key(text: str) -> tuple:
    """Sort key that puts D2 before D10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower())
                 for part in re.split(r"(\d+)", text) if part)


def expand_paths(paths: list[str | Path]) -> list[Path]:
    """Files, folders (searched recursively) and glob patterns, in a stable order; a `StudyError` for the rest."""
    from qualcode.transcripts.find import find_transcripts

    found, problems = find_transcripts(paths)
    if problems:
        raise StudyError(problems)
    return found


def read_manifest(path: str | Path) -> list[ManifestRow]:
    """Rows of a manifest CSV; a `StudyError` naming every bad row."""
    from qualcode.csvfile import dict_reader, read_csv_text

    name = str(path)
    reader, columns = dict_reader(read_csv_text(path, what="manifest", error=StudyError))
    if "transcript" not in columns or "dyad" not in columns:
        raise StudyError(Diagnostic(
            "QC540", "manifest lacks the column(s) " + ", ".join(c for c in ("transcript", "dyad") if c not in columns),
            name, 1, 1, hint="the header is 'transcript,dyad,role,group,setting,kind' (role, group, setting, kind optional)"))
    rows: list[ManifestRow] = []
    diags: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        values = {k: (row.get(k) or "").strip() for k in MANIFEST_COLUMNS}
        if not any(values.values()):
            continue
        for column in ("transcript", "dyad"):
            if not values[column]:
                diags.append(Diagnostic("QC541", f"column '{column}' is empty", name, line, None,
                                        hint=f"fill in the '{column}' cell on this row"))
        if values["role"] and values["role"].lower() not in PERSPECTIVES:
            diags.append(Diagnostic("QC541", f"role '{values['role']}' is not one of {', '.join(PERSPECTIVES)}",
                                    name, line, None, hint="give the interviewee's role, or leave it empty for a session"))
        if values["kind"] and values["kind"].lower() not in KINDS:
            diags.append(Diagnostic("QC541", f"kind '{values['kind']}' is not one of {', '.join(KINDS)}",
                                    name, line, None, hint="write 'interview' or 'session'"))
        key = _key(values["transcript"])
        if key and key in seen:
            diags.append(Diagnostic("QC543", f"transcript '{values['transcript']}' is listed twice (first on line {seen[key]})",
                                    name, line, None, hint="keep one row per transcript"))
        elif key:
            seen[key] = line
        values["role"] = values["role"].lower()
        values["kind"] = values["kind"].lower()
        rows.append(ManifestRow(line, values))
    if diags:
        raise StudyError(diags)
    return rows


def _key(name: str) -> str:
    """A manifest's transcript name compared without case and without a .txt/.md ending."""
    name = name.strip().lower()
    from qualcode.transcripts.find import transcript_suffixes

    for suffix in transcript_suffixes():
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _manifest_index(rows: list[ManifestRow]) -> dict[str, ManifestRow]:
    return {_key(row.values["transcript"]): row for row in rows}


def _lookup(index: dict[str, ManifestRow], transcript: Transcript) -> ManifestRow | None:
    for key in (transcript.id, Path(transcript.path).stem):
        row = index.get(_key(key))
        if row is not None:
            return row
    return None


def assign_members(transcripts: list[Transcript], *, manifest: list[ManifestRow] | None = None,
                   manifest_path: str | None = None) -> tuple[list[Member], list[Diagnostic]]:
    """Each transcript's dyad, kind and perspective; warnings returned, errors raised together."""
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    index = _manifest_index(manifest or [])
    used: set[int] = set()
    ids: dict[str, str] = {}
    members: list[Member] = []
    for t in transcripts:
        if t.id in ids:
            errors.append(Diagnostic("QC547", f"transcript id '{t.id}' is also the id of {ids[t.id]}", t.path,
                                     hint="give each transcript its own 'id' in the front matter"))
            continue
        ids[t.id] = t.path
        meta = {"dyad": t.dyad, "role": (t.role or "").lower() or None, "group": t.group, "setting": t.setting,
                "kind": str(t.meta.get("kind") or "").lower() or None}
        row = _lookup(index, t)
        if row is not None:
            used.add(row.line)
            for key in ("dyad", "role", "group", "setting", "kind"):
                value = row.values[key]
                if not value:
                    continue
                if meta[key] and str(meta[key]).lower() != value.lower():
                    warnings.append(Diagnostic(
                        "QC553", f"manifest gives {key} '{value}', the front matter '{meta[key]}'; using the manifest",
                        manifest_path, row.line, None, hint="make them agree", severity=WARNING))
                meta[key] = value
        kind = meta["kind"] or ("interview" if meta["role"] else "session")
        if kind not in KINDS:
            errors.append(Diagnostic("QC541", f"kind '{kind}' is not one of {', '.join(KINDS)}", t.path, 1, None,
                                     hint="write 'kind: interview' or 'kind: session' in the front matter"))
            continue
        role = meta["role"] if kind == "interview" else None
        if kind == "interview" and role not in PERSPECTIVES:
            what = f"role '{role}'" if role else "no role"
            errors.append(Diagnostic("QC545", f"interview has {what}: whose perspective it gives is unknown", t.path, 1,
                                     None, hint="add 'role: client' (or therapist, interpreter) to the front matter "
                                                "or the manifest"))
            continue
        dyad = meta["dyad"]
        if not dyad:
            dyad = t.id
            warnings.append(Diagnostic("QC544", f"no dyad given; treated as dyad '{dyad}' of its own", t.path,
                                       hint="add 'dyad: D01' to the front matter or a --manifest row",
                                       severity=WARNING))
        members.append(Member(t, str(dyad), kind, role, meta["group"] or None, meta["setting"] or None))
    for row in manifest or []:
        if row.line not in used:
            warnings.append(Diagnostic("QC542", f"manifest names '{row.values['transcript']}', which is not among the "
                                       "transcripts summarised", manifest_path, row.line, None,
                                       hint="check the name, or add that transcript to the PATHs", severity=WARNING))
    warnings.extend(_check_dyad_facets(members))
    if errors:
        raise StudyError(errors + warnings)
    return members, warnings


def _check_dyad_facets(members: list[Member]) -> list[Diagnostic]:
    """A dyad's transcripts should agree on its group and setting."""
    out = []
    for facet in ("group", "setting"):
        first: dict[str, Member] = {}
        for m in members:
            value = getattr(m, facet)
            if value is None:
                continue
            seen = first.setdefault(m.dyad, m)
            if getattr(seen, facet) != value:
                out.append(Diagnostic(
                    "QC546", f"dyad '{m.dyad}' has {facet} '{value}' here but '{getattr(seen, facet)}' in "
                    f"{seen.transcript.path}; using '{getattr(seen, facet)}'", m.transcript.path,
                    hint=f"give every transcript of the dyad the same {facet}", severity=WARNING))
    return out


def dyad_facet(members: list[Member], dyad: str, facet: str) -> str | None:
    """The first value of `group` or `setting` among a dyad's transcripts."""
    for m in members:
        if m.dyad == dyad and getattr(m, facet):
            return getattr(m, facet)
    return None
