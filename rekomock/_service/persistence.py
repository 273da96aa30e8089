"""The whole mock's state in one file: ``rk.save(path)`` / ``rk.load(path)`` and the server's
``--state-dir`` (docs/decisions.md, *Saved state*).

What is saved: every moto backend in use (moto's ``BackendDict._instances``: S3 buckets and
objects, IAM, STS, ... and rekomock's own two, the resources and the steering settings), the
mock's clock offset, the creation sequence and the transitions set in moto's state manager.
The backends are pickled as they are (one pickle, so objects shared between them stay shared);
a ``BackendDict`` itself is saved by reference and filled again in place on load, since
moto's modules hold it. moto's S3 keys pickle their bytes rather than their temporary-file
buffer (``FakeKey.__getstate__``); every lock is saved as a fresh lock.

The file: a magic line, one JSON header line (format version, versions of rekomock, moto and
Python, size and SHA-256 of the payload), then the pickled payload. A file is written to a
temporary name beside it, flushed to disk and renamed over the old one, so a reader finds the
old state or the new one, never half of one. Loading checks everything before changing
anything: a file that is not a state file, truncated, corrupted, written by a newer format
or by another moto minor version is refused with :class:`StateFileError` naming the file.

Pickle runs code named in the file: load only state files you or your suite wrote.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import io
import json
import os
import pickle
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from moto.core.base_backend import BackendDict
from moto.core.model_instances import reset_model_data
from moto.moto_api import state_manager

from .._domain import clock, paging

__all__ = ["FORMAT", "MAGIC", "STATE_FILE", "STATE_GATE", "StateDir", "StateFileError", "load",
           "read_header", "save", "save_held"]

MAGIC = b"REKOMOCK-STATE\n"
#: The format this rekomock writes and the newest it reads. Raise it when the payload
#: changes in a way an older rekomock cannot read.
FORMAT = 1
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


class StateFileError(ValueError):
    """A state file that cannot be loaded; the message names the file and what is wrong."""


class _Gate:
    """Readers (requests) share it; a save or load takes it alone, so it sees no request
    half done. Writers go first: a stream of requests cannot starve a save."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing and not self._waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self, timeout: float | None = None) -> Iterator[None]:
        """Alone; TimeoutError if requests still hold it after ``timeout`` seconds."""
        with self._cond:
            self._waiting += 1
            alone = self._cond.wait_for(lambda: not self._writing and self._readers == 0,
                                        timeout)
            self._waiting -= 1
            if not alone:
                self._cond.notify_all()
                raise TimeoutError(f"requests still running after {timeout:g} s")
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


#: Held shared by each request the server serves (:mod:`rekomock.server`).
STATE_GATE = _Gate()


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _reference(backends: BackendDict[Any]) -> str:
    cls = backends.backend
    return f"{cls.__module__}:{cls.__qualname__}:{backends.service_name}"


def _resolve(reference: str, where: Path) -> BackendDict[Any]:
    """The live ``BackendDict`` a reference names: the one beside its backend class."""
    module_name, qualname, service = reference.split(":", 2)
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise StateFileError(f"{where}: holds moto state of {module_name}, which this "
                             f"installation cannot import ({err})") from err
    cls: Any = module
    for part in qualname.split("."):
        cls = getattr(cls, part, None)
    for value in vars(module).values():
        if isinstance(value, BackendDict) and value.backend is cls and \
                value.service_name == service:
            return value
    from moto import backends as moto_backends

    get_backend: Any = moto_backends.get_backend
    try:
        found: Any = get_backend(service)
    except (KeyError, ModuleNotFoundError):
        found = None
    if not isinstance(found, BackendDict) or found.backend is not cls:
        raise StateFileError(f"{where}: holds state of {reference}, which this installation "
                             "does not have")
    return found


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, BackendDict):
            return ("backends", _reference(obj))
        return None

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCK_TYPES):
            return type(obj), ()
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: io.BytesIO, where: Path) -> None:
        super().__init__(data)
        self._where = where

    def persistent_load(self, pid: Any) -> Any:
        kind, reference = pid
        if kind != "backends":
            raise pickle.UnpicklingError(f"unknown reference {kind!r}")
        return _resolve(reference, self._where)


def _in_use() -> list[BackendDict[Any]]:
    """moto's list of the backends in use (those a reset resets)."""
    instances: list[BackendDict[Any]] = BackendDict._instances  # type: ignore[misc]
    return instances


#: A BackendDict's own attributes; any other (S3's ``bucket_accounts``) is state, saved.
_STRUCTURE = frozenset({"backend", "service_name", "_use_boto3_regions", "_additional_regions",
                        "_id"})


def _extra(backends: BackendDict[Any]) -> dict[str, Any]:
    return {k: v for k, v in vars(backends).items() if k not in _STRUCTURE}


def _models() -> list[Any]:
    """Every class moto tracks instances of (moto/core/model_instances.py)."""
    from moto.core.model_instances import model_data

    return [model for models in list(model_data.values()) for model in list(models.values())]


def _payload() -> dict[str, Any]:
    backends = [(_reference(b), dict(b), _extra(b)) for b in list(_in_use())]
    return {
        "backends": backends,
        "clock_offset": clock.offset_seconds(),
        "sequence": paging.next_sequence(),
        "transitions": dict(state_manager._transitions),
    }


def save(path: str | os.PathLike[str], wait: float | None = None) -> dict[str, Any]:
    """Write the whole state to ``path`` atomically; the header written. Waits for the
    requests being served to finish (at most ``wait`` seconds: TimeoutError)."""
    with STATE_GATE.exclusive(wait):
        return save_held(path)


def save_held(path: str | os.PathLike[str]) -> dict[str, Any]:
    """:func:`save` for a caller already holding the gate alone."""
    target = Path(path)
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(_payload())
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        raise StateFileError(f"{target}: the state cannot be saved: {err}") from err
    payload = buffer.getbuffer()
    header = {
        "format": FORMAT,
        "rekomock": _version("rekomock"),
        "moto": _version("moto"),
        "python": ".".join(map(str, sys.version_info[:3])),
        "clock_offset_seconds": clock.offset_seconds(),
        "size": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    partial = target.with_name(target.name + ".partial")
    with open(partial, "wb") as out:
        out.write(MAGIC)
        out.write(json.dumps(header, sort_keys=True).encode() + b"\n")
        out.write(payload)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)
    _sync_directory(target.parent)
    return header


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); not possible everywhere."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_header(path: str | os.PathLike[str]) -> tuple[dict[str, Any], bytes]:
    """The header and the verified payload of a state file, or StateFileError."""
    where = Path(path)
    try:
        data = where.read_bytes()
    except OSError as err:
        raise StateFileError(f"{where}: cannot be read: {err.strerror or err}") from err
    if not data.startswith(MAGIC):
        raise StateFileError(f"{where}: not a rekomock state file (it does not start with "
                             f"{MAGIC.strip().decode()})")
    line_end = data.find(b"\n", len(MAGIC))
    try:
        if line_end < 0:
            # These texts are never shown (the except below names the damage): no mutate.
            raise ValueError("no end of header")  # pragma: no mutate
        header = json.loads(data[len(MAGIC):line_end])
        version = header["format"]
        if not isinstance(header, dict) or not isinstance(version, int):
            raise ValueError("not a header")  # pragma: no mutate
    except (ValueError, KeyError, TypeError) as err:
        raise StateFileError(f"{where}: damaged: its header is unreadable") from err
    if version > FORMAT:
        raise StateFileError(
            f"{where}: written in state format {version} by rekomock "
            f"{header.get('rekomock', '?')}; this rekomock ({_version('rekomock')}) reads "
            f"format {FORMAT} and older: upgrade rekomock to load it")
    saved_moto, our_moto = str(header.get("moto", "?")), _version("moto")
    if _minor(saved_moto) != _minor(our_moto):
        raise StateFileError(f"{where}: saved with moto {saved_moto}, this is moto {our_moto}: "
                             "moto's state is saved as moto's own objects, which change "
                             "between minor versions")
    payload = data[line_end + 1:]
    if len(payload) != header.get("size"):
        raise StateFileError(f"{where}: damaged: truncated or extended ({len(payload)} bytes "
                             f"of state where its header says {header.get('size')})")
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise StateFileError(f"{where}: damaged: its content does not match its checksum")
    return header, payload


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Replace the whole state with the one saved in ``path``; the file's header.

    Nothing changes unless the file is whole and readable."""
    where = Path(path)
    header, payload = read_header(where)
    with STATE_GATE.exclusive():
        # Unpickling moto's models tracks them (BaseModel.__new__, also in classes first
        # imported meanwhile); keep them tracked once the old state's trackers are reset,
        # and drop them again if the load fails.
        before = {id(model): len(model.instances_tracked) for model in _models()}
        try:
            state = _Unpickler(io.BytesIO(payload), where).load()
            backends = [(_resolve(reference, where), accounts, extra)
                        for reference, accounts, extra in state["backends"]]
        except Exception as err:  # whatever a damaged pickle raises
            for model in _models():
                del model.instances_tracked[before.get(id(model), 0):]
            if isinstance(err, StateFileError):
                raise
            raise StateFileError(f"{where}: damaged: the state does not load "
                                 f"({type(err).__name__}: {err})") from err
        loaded = []
        for model in _models():
            count = before.get(id(model), 0)
            loaded.append((model, model.instances_tracked[count:]))
            del model.instances_tracked[count:]  # a reset disposes of what it tracks
        BackendDict.reset()
        reset_model_data()
        for model, instances in loaded:
            model.instances_tracked.extend(instances)
        for live, accounts, extra in backends:
            live.clear()
            live.update(accounts)
            for name, value in extra.items():
                setattr(live, name, value)
            if live not in _in_use():
                _in_use().append(live)
        clock.set_offset(float(state["clock_offset"]))
        paging.resume_sequence(int(state["sequence"]))
        state_manager._transitions.clear()
        state_manager._transitions.update(state["transitions"])
    return header


#: The state file in a ``--state-dir``; a save in progress writes ``<name>.partial`` beside it.
STATE_FILE = "state.rkstate"


class StateDir:
    """A server's ``--state-dir``: loaded at start, saved at a graceful stop.

    One server per directory (an advisory lock). A ``.partial`` file left by a save that
    was cut off (kill -9, power loss) is set aside: the state file beside it is the last
    complete save, and :meth:`open` says so."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.file = self.directory / STATE_FILE
        #: Whether :meth:`open` found no saved state (init hooks run only then).
        self.new = True
        self._lock: Any = None

    def open(self) -> str:
        """Take the directory and load its state; what happened, in a sentence. Raises
        StateFileError (naming the file) for a directory that cannot be used."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StateFileError(f"{self.directory}: cannot be created: "
                                 f"{err.strerror or err}") from err
        self._take_lock()
        partial = self.file.with_name(self.file.name + ".partial")
        cut_off = ""
        if partial.exists():
            aside = partial.with_name(partial.name + ".bad")
            os.replace(partial, aside)
            cut_off = f"{partial} is a save that was cut off (set aside as {aside.name}); "
        if not self.file.exists():
            if cut_off:
                return f"{cut_off}there is no complete save in {self.directory}: starting empty"
            return f"no saved state in {self.directory}: starting empty"
        header = load(self.file)
        self.new = False
        loaded = f"{self.file} (format {header['format']}, {header['size']} bytes)"
        if cut_off:
            return f"recovered: {cut_off}loaded the last complete save, {loaded}"
        return f"state loaded from {loaded}"

    def save(self, wait: float | None = None) -> dict[str, Any]:
        return save(self.file, wait)

    def save_held(self) -> None:
        """Save for a request holding the gate alone (``--durable``)."""
        save_held(self.file)

    def _take_lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return
        lock_path = self.directory / ".lock"
        handle = open(lock_path, "a+")  # held for the server's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            handle.close()
            raise StateFileError(f"{self.directory}: in use by another rekomock server "
                                 f"({lock_path} is locked)") from err
        self._lock = handle

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None
