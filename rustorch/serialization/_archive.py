"""The zip container of ``torch.save`` files: a writer laid out as PyTorch's miniz writer lays
it out, and a reader on top of ``zipfile``.

Layout written (what torch 2.x writes): every record is stored uncompressed under
``<archive name>/``, its data aligned to 64 bytes by a padding extra field ``"FB"`` in the
local header, followed by a data descriptor (general purpose flags 0x0808); the central
directory always ends with a zip64 end record and locator. Records larger than 4 GiB, or
starting beyond 4 GiB, get zip64 extra fields and 24-byte data descriptors, as miniz writes
them, so torch's own offset arithmetic (``torch.load(mmap=True)``, meta loading) holds for
rustorch's files too.
"""
from __future__ import annotations

import os
import secrets
import struct
import zipfile
import zlib

import numpy as np

from ..errors import SerializationError
from ._errors import CorruptFileError

__all__ = ["ArchiveWriter", "ArchiveReader", "archive_name_for"]

ALIGNMENT = 64
_U32 = 0xFFFFFFFF
_FLAGS = 0x0808  # a data descriptor follows the data; names are UTF-8
_FLAGS_EMPTY = 0x0800  # miniz writes empty records without a data descriptor
_CHUNK = 1 << 26  # write and checksum big storages 64 MiB at a time


def archive_name_for(path: str | None) -> str:
    """The record prefix torch uses: the file's base name without its last extension;
    ``archive`` for buffers and for names that are not ASCII (torch writes those through a
    stream). Names that leave nothing (``.pt``) also give ``archive``, where torch refuses."""
    if path is None:
        return "archive"
    base = os.path.basename(path)
    stem = base[:base.rfind(".")] if "." in base else base
    if not stem or not stem.isascii():
        return "archive"
    return stem


def _hash_combine(seed: int, value: int) -> int:
    # c10::hash_combine on 64 bits, as torch combines the records' CRCs into serialization_id
    seed ^= (value + 0x9E3779B9 + (seed << 6) + (seed >> 2)) & 0xFFFFFFFFFFFFFFFF
    return seed & 0xFFFFFFFFFFFFFFFF


class ArchiveWriter:
    """Writes records into ``stream`` (needs only ``write``); ``finish`` writes the
    serialization id, the central directory and the end records."""

    def __init__(self, stream, archive_name: str) -> None:
        self.stream = stream
        self.prefix = archive_name + "/"
        self.offset = 0
        self.entries: list[tuple[bytes, int, int, int]] = []  # name, crc, size, header offset
        self.combined_crc = 0

    def _write(self, data) -> None:
        self.stream.write(data)
        self.offset += memoryview(data).nbytes

    def write_record(self, name: str, data) -> None:
        """One record; ``data`` is bytes, or a 1-D uint8 numpy array (written in chunks)."""
        encoded = (self.prefix + name).encode("utf-8")
        size = memoryview(data).nbytes
        header_offset = self.offset
        big_size, big_offset = size >= _U32, header_offset >= _U32
        zip64 = b""
        if big_size or big_offset:
            fields = (struct.pack("<QQ", size, size) if big_size else b"") + \
                (struct.pack("<Q", header_offset) if big_offset else b"")
            zip64 = struct.pack("<HH", 1, len(fields)) + fields
        # torch's getPadding: align the data start, counting the 4-byte "FB" field header
        start = header_offset + 30 + len(encoded) + len(zip64) + 4
        padding = (-start) % ALIGNMENT
        extra = zip64 + b"FB" + struct.pack("<H", padding) + b"Z" * padding
        version, flags = 45 if zip64 else 0, _FLAGS if size else _FLAGS_EMPTY
        self._write(struct.pack("<IHHHHHIIIHH", 0x04034B50, version, flags, 0, 0, 0, 0, 0, 0,
                                len(encoded), len(extra)) + encoded + extra)
        crc = 0
        view = memoryview(data).cast("B")
        for begin in range(0, size, _CHUNK):
            chunk = view[begin:begin + _CHUNK]
            crc = zlib.crc32(chunk, crc)
            self._write(chunk)
        if zip64:
            self._write(struct.pack("<IIQQ", 0x08074B50, crc, size, size))
        elif size:
            self._write(struct.pack("<IIII", 0x08074B50, crc, size, size))
        self.entries.append((encoded, crc, size, header_offset))
        self.combined_crc = _hash_combine(self.combined_crc, crc)

    def finish(self) -> None:
        identity = f"{self.combined_crc:020d}{secrets.randbits(64):020d}"
        self.write_record(".data/serialization_id", identity.encode("ascii"))
        directory_offset = self.offset
        for encoded, crc, size, header_offset in self.entries:
            fields = b""
            if size >= _U32:
                fields += struct.pack("<QQ", size, size)
            if header_offset >= _U32:
                fields += struct.pack("<Q", header_offset)
            extra = struct.pack("<HH", 1, len(fields)) + fields if fields else b""
            version, flags = 45 if fields else 0, _FLAGS if size else _FLAGS_EMPTY
            size32 = min(size, _U32)
            self._write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0, version, flags, 0, 0,
                                    0, crc, size32, size32, len(encoded), len(extra), 0, 0, 0,
                                    0, min(header_offset, _U32)) + encoded + extra)
        count = len(self.entries)
        directory_size = self.offset - directory_offset
        end64_offset = self.offset
        self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 45, 0, 0, count, count,
                                directory_size, directory_offset))
        self._write(struct.pack("<IIQI", 0x07064B50, 0, end64_offset, 1))
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF),
                                min(count, 0xFFFF), min(directory_size, _U32),
                                min(directory_offset, _U32), 0))


class ArchiveReader:
    """Reads the records of a torch zip archive from a seekable binary stream."""

    def __init__(self, stream, file_name: str) -> None:
        self.stream = stream
        self.file_name = file_name
        try:
            self.zip = zipfile.ZipFile(stream)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error) as error:
            raise CorruptFileError(f"{file_name}: not a complete zip archive (the file is "
                                   f"truncated or corrupt): {error}") from None
        if not infos or "/" not in infos[0].filename:
            raise CorruptFileError(f"{file_name}: a zip archive, but not a PyTorch checkpoint "
                                   f"(its records are not in a folder)")
        # torch takes the archive name from the first record, as its reader does
        self.prefix = infos[0].filename.split("/", 1)[0] + "/"
        self.infos = {info.filename[len(self.prefix):]: info for info in infos
                      if info.filename.startswith(self.prefix)}

    def __enter__(self) -> "ArchiveReader":
        return self

    def __exit__(self, *exc_info) -> None:
        self.zip.close()

    def has_record(self, name: str) -> bool:
        return name in self.infos

    def _info(self, name: str) -> zipfile.ZipInfo:
        try:
            return self.infos[name]
        except KeyError:
            raise CorruptFileError(f"{self.file_name}: the archive has no record "
                                   f"'{self.prefix}{name}' (truncated or corrupt file?)") from None

    def read_record(self, name: str) -> bytes:
        """A small record, its CRC checked."""
        try:
            return self.zip.read(self._info(name))
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as error:
            raise CorruptFileError(f"{self.file_name}: record '{self.prefix}{name}' is "
                                   f"damaged: {error}") from None

    def _data_offset(self, info: zipfile.ZipInfo) -> int:
        self.stream.seek(info.header_offset)
        header = self.stream.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise CorruptFileError(f"{self.file_name}: bad local header for record "
                                   f"'{info.filename}' (truncated or corrupt file?)")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_length + extra_length

    def _check_size(self, info: zipfile.ZipInfo, nbytes: int) -> None:
        if info.file_size != nbytes:
            raise CorruptFileError(f"{self.file_name}: record '{info.filename}' holds "
                                   f"{info.file_size} bytes where its tensors need {nbytes}")

    def read_storage(self, name: str, nbytes: int) -> np.ndarray:
        """A storage record as a new writable uint8 array, its CRC checked."""
        info = self._info(name)
        self._check_size(info, nbytes)
        if info.compress_type != zipfile.ZIP_STORED:
            return np.frombuffer(bytearray(self.read_record(name)), dtype=np.uint8)
        buffer = np.empty(nbytes, dtype=np.uint8)
        self.stream.seek(self._data_offset(info))
        view, filled = memoryview(buffer), 0
        while filled < nbytes:
            count = _read_into(self.stream, view[filled:])
            if not count:
                raise CorruptFileError(f"{self.file_name}: record '{info.filename}' is cut "
                                       f"short after {filled} of {nbytes} bytes (truncated file)")
            filled += count
        if zlib.crc32(view) != info.CRC:
            raise CorruptFileError(f"{self.file_name}: record '{info.filename}' fails its CRC "
                                   f"check (the file is corrupt)")
        return buffer

    def map_storage(self, path: str, name: str, nbytes: int) -> np.ndarray:
        """A storage record mapped copy-on-write from ``path`` (torch's MAP_PRIVATE): pages
        are read when touched, writes stay private; no CRC check (nothing is read up front)."""
        info = self._info(name)
        self._check_size(info, nbytes)
        if info.compress_type != zipfile.ZIP_STORED or nbytes == 0:
            return self.read_storage(name, nbytes)
        offset = self._data_offset(info)
        if offset + nbytes > os.path.getsize(path):
            raise CorruptFileError(f"{self.file_name}: record '{info.filename}' runs past the "
                                   f"end of the file (truncated file)")
        return np.memmap(path, dtype=np.uint8, mode="c", offset=offset, shape=(nbytes,))


def _read_into(stream, view) -> int:
    read_into = getattr(stream, "readinto", None)
    if read_into is not None:
        return read_into(view) or 0
    data = stream.read(len(view))
    view[:len(data)] = data
    return len(data)


def check_directory(path: str) -> str:
    """The directory a file at ``path`` goes to; torch's error when it does not exist."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise SerializationError(f"Parent directory {directory} does not exist.")
    return directory
