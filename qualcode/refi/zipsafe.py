"""Read an untrusted `.qdpx` ZIP: member names checked, sizes bounded, nothing extracted to disk."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from qualcode.errors import Diagnostic
from qualcode.refi.xmlsafe import RefiError

#: Bounds for untrusted archives.
MAX_ARCHIVE_BYTES = 2_000_000_000
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 200_000_000  # one source or project.qde, uncompressed
MAX_TOTAL_BYTES = 2_000_000_000  # all members read, uncompressed
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MB


def unsafe_name(name: str) -> bool:
    """Would extracting `name` escape the destination folder (zip-slip)?"""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":") or "\x00" in norm:
        return True
    return any(part == ".." for part in PurePosixPath(norm).parts)


@dataclass
class SafeZip:
    """Members of a checked archive, looked up case-insensitively; reads are size-bounded."""

    archive: zipfile.ZipFile
    path: str
    by_lower: dict[str, zipfile.ZipInfo]
    read_total: int = 0

    @classmethod
    def open(cls, path: str | Path) -> "SafeZip":
        name = str(path)
        path = Path(path)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise RefiError(Diagnostic("QC001", "project file not found", name, hint="check the path")) from None
        except OSError as exc:
            raise RefiError(Diagnostic("QC001", f"cannot read file: {exc.strerror}", name)) from None
        if path.is_dir():
            raise RefiError(Diagnostic("QC001", "is a folder, not a .qdpx file", name, hint="name a .qdpx file"))
        if size > MAX_ARCHIVE_BYTES:
            raise RefiError(Diagnostic("QC404", f"file is {size:,} bytes, more than the {MAX_ARCHIVE_BYTES:,} allowed",
                                       name, hint="check you named the right file"))
        try:
            archive = zipfile.ZipFile(path)
            infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError):
            raise RefiError(Diagnostic("QC401", "not a readable ZIP archive (damaged, truncated or not a .qdpx)", name,
                                       hint="copy or export the .qdpx again; a .qdpx is a ZIP file")) from None
        except OSError as exc:
            raise RefiError(Diagnostic("QC001", f"cannot read file: {exc.strerror}", name)) from None
        if len(infos) > MAX_MEMBERS:
            archive.close()
            raise RefiError(Diagnostic("QC404", f"archive holds {len(infos):,} files, more than the {MAX_MEMBERS:,} allowed",
                                       name, hint="this is not a usual REFI-QDA project"))
        bad = sorted({info.filename for info in infos if unsafe_name(info.filename)})
        if bad:
            archive.close()
            raise RefiError([Diagnostic(
                "QC403", f"archive member {b[:120]!r} points outside the project (zip-slip); refused", name,
                hint="the file may be malicious; do not extract it, ask the sender for a clean export") for b in bad[:5]])
        by_lower: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if not info.is_dir():
                by_lower.setdefault(info.filename.replace("\\", "/").lower(), info)
        return cls(archive, name, by_lower)

    def close(self) -> None:
        self.archive.close()

    def find(self, member: str) -> zipfile.ZipInfo | None:
        """The member at `member` (any case, `\\` or `/`)."""
        key = member.replace("\\", "/").lower()
        while key.startswith("./"):
            key = key[2:]
        return self.by_lower.get(key.lstrip("/"))

    def find_in_sources(self, file_name: str) -> zipfile.ZipInfo | None:
        """A source file by name: `sources/<name>` in any case, else a unique member with that base name."""
        file_name = file_name.replace("\\", "/").strip()
        found = self.find(f"sources/{file_name}") or self.find(file_name)
        if found is not None:
            return found
        base = file_name.rsplit("/", 1)[-1].lower()
        matches = [info for key, info in self.by_lower.items() if key.rsplit("/", 1)[-1] == base]
        return matches[0] if len(matches) == 1 else None

    def top_level(self, suffix: str) -> list[zipfile.ZipInfo]:
        return [info for key, info in sorted(self.by_lower.items()) if "/" not in key and key.endswith(suffix)]

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """The member's bytes, refusing bombs and damaged data."""
        big = info.file_size > 1_000_000
        if info.file_size > MAX_MEMBER_BYTES or (big and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise RefiError(Diagnostic(
                "QC404", f"archive member {info.filename!r} unpacks to {info.file_size:,} bytes; refused as too large",
                self.path, hint="a REFI-QDA source is a text file; ask the sender for a smaller export"))
        try:
            with self.archive.open(info) as handle:
                data = handle.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError):
            raise RefiError(Diagnostic("QC401", f"archive member {info.filename!r} is damaged", self.path,
                                       hint="copy or export the .qdpx again")) from None
        self.read_total += len(data)
        if len(data) > MAX_MEMBER_BYTES or self.read_total > MAX_TOTAL_BYTES:
            raise RefiError(Diagnostic("QC404", "archive unpacks to more data than allowed; refused", self.path,
                                       hint="the file may be a ZIP bomb; ask the sender for a clean export"))
        return data
