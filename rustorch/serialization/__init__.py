"""``rustorch.save`` / ``rustorch.load``: PyTorch's checkpoint format, both ways.

Files are torch 2.x zip archives (``data.pkl``, ``data/<key>`` storages, ``version``,
``byteorder``, ``.format_version``, ``.storage_alignment``, ``.data/serialization_id``), and
the pickle names torch's globals (``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``,
``torch.Size`` ...), so ``torch.load`` reads rustorch's files (``weights_only`` True or False)
and ``rustorch.load`` reads torch's; torch is never imported (see ``_pickler`` for how).

>>> import io, rustorch
>>> buffer = io.BytesIO()
>>> rustorch.save({"weight": rustorch.ones(2, 3)}, buffer)
>>> _ = buffer.seek(0)
>>> rustorch.load(buffer)["weight"].shape
torch.Size([2, 3])

Saving a whole ``nn.Module`` (``save(model)``) pickles rustorch's classes by name: rustorch
reads it back with ``weights_only=False``; torch cannot (it doesn't know rustorch's classes),
as with any pickled custom class. Differences from torch: tensors' extra attributes (hooks,
``__dict__`` entries) are not saved; the legacy non-zip format is not supported (neither
saving with ``_use_new_zipfile_serialization=False`` nor loading files of PyTorch < 1.6).
"""
from __future__ import annotations

import io
import os
import pickle
import secrets
import stat
import sys

from ..errors import ArgumentError, ArgumentTypeError, NotSupportedError, SerializationError
from ._archive import ArchiveReader, ArchiveWriter, archive_name_for, check_directory
from ._errors import CorruptFileError, UnpicklingError
from ._pickler import StorageTable, TorchPickler
from ._rebuild import LoadedStorage, StorageLoader, default_restore_location, restore_function
from ._unpickler import (CheckpointUnpickler, add_safe_globals, clear_safe_globals,
                         get_safe_globals, remove_safe_globals, unsafe_globals_in)

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "get_unsafe_globals_in_checkpoint", "default_restore_location",
           "LoadedStorage", "UnpicklingError", "CorruptFileError", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
_FILE_FORMAT_VERSION = b"3\n"
# the first bytes of a legacy (non-zip) torch file: a protocol-2 pickle of torch's magic number
_LEGACY_MAGIC = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"


class safe_globals:
    """``with safe_globals([MyClass]):`` allows these globals in ``weights_only`` loads for
    the duration of the block (as ``torch.serialization.safe_globals``)."""

    def __init__(self, safe_globals: list) -> None:
        self.safe_globals = safe_globals

    def __enter__(self) -> None:
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc_info) -> None:
        remove_safe_globals(self.safe_globals)


def _is_path(f) -> bool:
    return isinstance(f, (str, os.PathLike))


def _pickle(obj, protocol: int) -> tuple[bytes, StorageTable]:
    storages = StorageTable()
    buffer = io.BytesIO()
    TorchPickler(buffer, protocol, storages).dump(obj)
    return buffer.getvalue(), storages


def _write_archive(stream, archive_name: str, data: bytes, storages: StorageTable,
                   byteorder_record: bool) -> None:
    writer = ArchiveWriter(stream, archive_name)
    writer.write_record("data.pkl", data)
    writer.write_record(".format_version", b"1")
    writer.write_record(".storage_alignment", b"64")
    if byteorder_record:
        writer.write_record("byteorder", sys.byteorder.encode("ascii"))
    for record in storages.records.values():
        writer.write_record(f"data/{record.key}", record.host_bytes())
    writer.write_record("version", _FILE_FORMAT_VERSION)
    writer.finish()


def _replace_file(path: str, write) -> None:
    """Write through ``write(stream)`` into a temporary file next to ``path`` and rename it into
    place only once complete and flushed to disk: a failure leaves an existing file untouched."""
    target = os.path.realpath(path)  # through a symlink, as writing in place would go
    directory = check_directory(target)
    temporary = os.path.join(directory, f".{os.path.basename(target)}.{secrets.token_hex(6)}.tmp")
    try:
        with open(temporary, "xb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if os.path.exists(target):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def save(obj, f, pickle_module=pickle, pickle_protocol: int = DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` to ``f`` (a path or a binary file object) in torch's zip format.

    The object is pickled before anything is written, so an object that cannot be pickled
    leaves ``f`` untouched; a path is written through a temporary file renamed into place.
    CUDA tensors are saved from a host copy with their ``cuda:N`` location tag.
    ``pickle_module`` must be the standard ``pickle`` (rustorch writes torch's global names
    with its own pickler).
    """
    if not _use_new_zipfile_serialization:
        raise NotSupportedError("save(..., _use_new_zipfile_serialization=False): the legacy "
                                "non-zip format is not supported by rustorch; use the default "
                                "zip format, which torch.load reads")
    if pickle_module is not pickle:
        raise NotSupportedError(f"save: pickle_module={getattr(pickle_module, '__name__', '?')} "
                                f"is not supported; rustorch writes torch's format with the "
                                f"standard pickle module only")
    if not _is_path(f) and not hasattr(f, "write"):
        raise ArgumentTypeError(f"expected 'f' to be string, path, or a file-like object with a "
                                f"'write' attribute, got {type(f).__name__}")
    data, storages = _pickle(obj, pickle_protocol)
    if _is_path(f):
        path = os.fspath(f)
        name = archive_name_for(path if path.isascii() else None)
        _replace_file(path, lambda stream: _write_archive(
            stream, name, data, storages, not _disable_byteorder_record))
    else:
        _write_archive(f, "archive", data, storages, not _disable_byteorder_record)


class _OpenedForReading:
    """The seekable binary stream, the name used in messages, and the path (None for
    buffers) of a ``load`` argument; closes only what it opened."""

    def __init__(self, f) -> None:
        self.path = os.fspath(f) if _is_path(f) else None
        if self.path is not None:
            self.stream = self.owned = open(self.path, "rb")
            self.name = self.path
            return
        if not hasattr(f, "read"):
            raise ArgumentTypeError(f"expected 'f' to be string, path, or a file-like object "
                                    f"with a 'read' attribute, got {type(f).__name__}")
        self.owned = None
        self.name = str(getattr(f, "name", "") or f"<{type(f).__name__}>")
        seekable = getattr(f, "seekable", None)
        self.stream = f if seekable is not None and seekable() else io.BytesIO(f.read())

    def __enter__(self) -> "_OpenedForReading":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.owned is not None:
            self.owned.close()


def _check_format(opened: _OpenedForReading) -> None:
    start = opened.stream.tell()
    head = opened.stream.read(len(_LEGACY_MAGIC))
    opened.stream.seek(start)
    if head[:4] == b"PK\x03\x04":
        return
    if not head:
        raise CorruptFileError(f"{opened.name}: the file is empty (0 bytes); it is not a "
                               f"checkpoint (was its writing interrupted?)")
    if head == _LEGACY_MAGIC:
        raise NotSupportedError(f"{opened.name}: a checkpoint in torch's legacy format "
                                f"(_use_new_zipfile_serialization=False, or PyTorch < 1.6), which "
                                f"rustorch does not read; re-save it with torch.save's default "
                                f"zip format")
    raise UnpicklingError(f"{opened.name}: not a PyTorch checkpoint (no zip signature at the "
                          f"start; the file is corrupt or of another format)")


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args):
    """Load an object saved by ``torch.save`` or ``rustorch.save`` from ``f`` (a path or a
    binary file object).

    ``weights_only`` (default True unless a ``pickle_module`` is given, as in torch) allows only
    tensors, containers, primitive types and the globals of ``add_safe_globals``.
    ``map_location``: None (each storage where it was saved), a device or device string,
    a dict mapping location tags (``{'cuda:1': 'cuda:0'}``), or a callable
    ``(storage, location)`` given a ``LoadedStorage``. ``mmap=True`` maps each storage of the
    file with ``numpy.memmap`` copy-on-write (pages read when touched; ``f`` must be a path).
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise SerializationError("Can not safely load weights when explicit pickle_module is "
                                 "specified")
    if pickle_module is not None and pickle_module is not pickle:
        raise NotSupportedError("load: only the standard pickle module is supported")
    pickle_load_args.setdefault("encoding", "utf-8")
    with _OpenedForReading(f) as opened:
        if mmap and opened.path is None:
            raise ArgumentError("f must be a file path in order to use the mmap argument")
        _check_format(opened)
        with ArchiveReader(opened.stream, opened.name) as archive:
            return _load_archive(archive, opened, map_location, weights_only,
                                 opened.path if mmap else None, pickle_load_args)


def _load_archive(archive: ArchiveReader, opened, map_location, weights_only: bool,
                  mmap_path, pickle_load_args):
    if archive.has_record("constants.pkl") and not archive.has_record("data.pkl"):
        raise NotSupportedError(f"{opened.name}: a TorchScript archive (torch.jit.save); "
                                f"rustorch.load reads torch.save checkpoints only")
    byteorder = "little"
    if archive.has_record("byteorder"):
        byteorder = archive.read_record("byteorder").decode("ascii", "replace")
        if byteorder not in ("little", "big"):
            raise CorruptFileError(f"{opened.name}: Unknown endianness type: {byteorder}")
    data = archive.read_record("data.pkl")
    storages = StorageLoader(archive, restore_function(map_location), byteorder, mmap_path)
    unpickler = CheckpointUnpickler(io.BytesIO(data), storages, weights_only, opened.name,
                                    **pickle_load_args)
    try:
        return unpickler.load()
    except (pickle.UnpicklingError, EOFError) as error:
        if isinstance(error, SerializationError):
            raise
        raise UnpicklingError(f"{opened.name}: data.pkl is not a valid pickle (the file is "
                              f"corrupt): {error}") from error


def get_unsafe_globals_in_checkpoint(f) -> list[str]:
    """The globals in a checkpoint that ``weights_only=True`` would refuse."""
    with _OpenedForReading(f) as opened:
        _check_format(opened)
        with ArchiveReader(opened.stream, opened.name) as archive:
            return unsafe_globals_in(archive.read_record("data.pkl"))
