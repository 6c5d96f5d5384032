"""The old site's uploads (wp-content/uploads as a folder or a .tar.gz) and the images made from them."""

import posixpath
import re
import tarfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

_SIZED = re.compile(r"-\d+x\d+(?=\.\w+$)")  # WordPress's resized copies: photo-300x200.jpg


class Uploads:
    """Files by their path under uploads/ (2020/04/photo.jpg); nothing is extracted to disk."""

    def __init__(self, path: str | Path | None):
        self.root: Path | None = None
        self.archive: tarfile.TarFile | None = None
        self.members: dict[str, tarfile.TarInfo] = {}
        if path is None:
            return
        path = Path(path)
        if path.is_dir():
            self.root = path.resolve()
        elif path.is_file():
            self.archive = tarfile.open(path, "r:*")
            for member in self.archive:
                if member.isfile():
                    self.members[_under_uploads(member.name)] = member
        else:
            raise FileNotFoundError(f"{path}: フォルダーもファイルもありません。")

    def read(self, relative: str) -> tuple[str, bytes] | None:
        """(name, bytes) of the file, or of its original when only a resized copy is asked for; None if absent."""
        for candidate in (relative, _SIZED.sub("", relative)):
            if data := self._read(candidate):
                return candidate, data
        return None

    def _read(self, relative: str) -> bytes | None:
        if not relative or ".." in relative.split("/"):
            return None
        if self.root is not None:
            file = (self.root / relative).resolve()
            if file.is_file() and file.is_relative_to(self.root):
                return file.read_bytes()
            return None
        if member := self.members.get(relative):
            return self.archive.extractfile(member).read()
        return None

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def _under_uploads(name: str) -> str:
    name = name.lstrip("./")
    return name.split("uploads/", 1)[1] if "uploads/" in name else name


def upload_path(url: str) -> str:
    """The file's path under uploads/ from its old address (…/wp-content/uploads/2020/04/a.jpg, or WordPress.com's
    files host …/2020/04/a.jpg)."""
    path = unquote(urlsplit(url).path)
    if "/uploads/" in path:
        return path.split("/uploads/", 1)[1]
    if "/files/" in path:
        return path.split("/files/", 1)[1]
    return posixpath.normpath(path).lstrip("/")
