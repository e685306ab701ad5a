"""An OFD file's zip archive, opened with limits: a zip bomb is refused, not unpacked."""

import io
import posixpath
import zipfile

from invoicing_core.recognition.errors import RecognitionError

MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
# XML packs 10 to 30 times; far beyond that, on a member of any size, is a bomb.
MAX_RATIO = 200
_RATIO_FROM_BYTES = 1024 * 1024


class OfdArchive:
    """The members of an OFD zip, read by path, each within the limits."""

    def __init__(self, data: bytes) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as error:
            raise _broken() from error
        if len(infos) > MAX_MEMBERS:
            raise _bomb()
        if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
            raise _bomb()
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MAX_MEMBER_BYTES or (
                info.file_size > _RATIO_FROM_BYTES and ratio > MAX_RATIO
            ):
                raise _bomb()
        self._names = {info.filename.lstrip("/"): info for info in infos}
        self._read_total = 0

    def names(self) -> list[str]:
        return list(self._names)

    def has(self, path: str) -> bool:
        return path.lstrip("/") in self._names

    def read(self, path: str) -> bytes:
        """A member's bytes, never more than its limit (a lying header cannot inflate it)."""
        info = self._names.get(path.lstrip("/"))
        if info is None:
            raise _broken()
        try:
            with self._zip.open(info) as member:
                data = member.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
            raise _broken() from error
        self._read_total += len(data)
        if len(data) > MAX_MEMBER_BYTES or self._read_total > MAX_TOTAL_BYTES:
            raise _bomb()
        return data


def resolve(base: str, location: str) -> str:
    """An OFD location: absolute from the archive's root, else relative to `base`'s folder."""
    location = location.strip().replace("\\", "/")
    if location.startswith("/"):
        return posixpath.normpath(location.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), location))


def _broken() -> RecognitionError:
    return RecognitionError("broken_ofd", "OFD文件已损坏或不完整，无法读取；请重新下载发票后上传。")


def _bomb() -> RecognitionError:
    return RecognitionError(
        "ofd_too_large",
        "OFD文件解压后过大或文件数过多，可能是恶意文件，已拒绝；请上传正常的发票OFD文件。",
    )
