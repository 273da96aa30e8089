"""Fresh botocore sessions that do not re-read botocore's data.

moto gives each activation a fresh boto3 default session, so that credentials, region and
config come from the environment as it is in that test. Building one and its first client
costs tens of milliseconds, nearly all of it registering botocore's built-in event handlers
one by one and re-reading and re-parsing JSON data files (endpoints, partitions, service
models, paginators, waiters) that never change within a process.

While rekomock is active, ``botocore.session.get_session`` (how boto3 creates every session)
returns a :class:`FreshSession`: a botocore session like any other, with its own credentials,
config, profile, region, components and event emitter, botocore's initializers applied,
except that

- its built-in handlers are a copy of a template emitter (the same handlers in the same
  order; the template is rebuilt whenever botocore's built-in handlers or event aliases
  change), as botocore itself copies a session's emitter for every client;
- its data loader, botocore's own for the session's ``data_path``, shares what it caches
  (parsed files, the list of services, service models merged with their extras, all left
  unmodified by botocore once loaded) with the other sessions' loaders that search the same
  directories, as long as each of those lies inside installed packages (botocore's and
  boto3's data, the AWS CLI's, which it adds to ``AWS_DATA_PATH`` when imported).

A fresh session also gives clients made without ``region_name`` a region when neither the
environment nor the profile names one: ``us-east-1``, the lowest link of botocore's own
region chain, so ``AWS_DEFAULT_REGION`` and a profile's ``region`` still win.

Where sharing could be wrong, a loader caches for itself alone, as botocore's does: when it
searches a directory outside installed packages (``AWS_DATA_PATH`` pointing at a project or
temporary directory, a search path a test inserted), while ``~/.aws/models`` exists, or when
its file loader was replaced. If something else has already replaced ``get_session``, it is
left alone. Setting :data:`enabled` to False turns all of this off (as
:data:`rekomock._wire.fastpath.enabled` does the fast path): for a suspected bug here, or to
measure what it saves.
"""

from __future__ import annotations

import copy
import os
import sysconfig
import threading
from typing import Any

import botocore.session
from botocore import handlers, hooks, loaders
from botocore.utils import EVENT_ALIASES

__all__ = ["DEFAULT_REGION", "FreshSession", "share_loaded_data"]

#: The off switch: while False, ``get_session`` returns botocore's own session, built and
#: loading its data as botocore ships it (the patch stays installed; read at every call).
enabled = True
#: The region of a client made while rekomock is active when nothing configures one.
DEFAULT_REGION = "us-east-1"

#: What loaders searching the same installed data directories have loaded, per directories.
_shared_data: dict[tuple[Any, ...], dict[Any, Any]] = {}
#: Whether each search path seen lies inside installed packages.
_installed: dict[str, bool] = {}
_package_roots: tuple[str, ...] | None = None
#: (built-in handlers and aliases it was built from, emitter holding just those handlers)
_builtin_template: tuple[Any, hooks.HierarchicalEmitter] | None = None
_lock = threading.Lock()
_replaced: Any = None


def _is_installed(path: str) -> bool:
    global _package_roots
    if _package_roots is None:
        import boto3

        roots = {sysconfig.get_paths()[name] for name in ("purelib", "platlib")}
        roots.update(os.path.dirname(os.path.dirname(package.__file__))
                     for package in (botocore, boto3))
        _package_roots = tuple(os.path.realpath(root) for root in roots)
    full = os.path.realpath(path)
    return any(full == root or full.startswith(root + os.sep) for root in _package_roots)


def _shareable(path: str) -> bool:
    if path == loaders.Loader.CUSTOMER_DATA_PATH:
        return not os.path.isdir(path)
    installed = _installed.get(path)
    if installed is None:
        installed = _installed[path] = _is_installed(path)
    return installed


class _LoadedData:
    """A loader's ``instance_cache`` store: shared by every loader searching the same
    installed directories, else the loader's own (decided at each use: paths can change)."""

    __slots__ = ("_loader", "_own")

    def __init__(self, loader: loaders.Loader) -> None:
        self._loader = loader
        self._own: dict[Any, Any] = {}

    def _store(self) -> dict[Any, Any]:
        loader = self._loader
        paths = tuple(loader.search_paths)
        if type(loader.file_loader) is not loaders.JSONFileLoader or not all(
            map(_shareable, paths)
        ):
            return self._own
        key = (paths, tuple(loader.extras_types))
        store = _shared_data.get(key)
        if store is None:
            store = _shared_data.setdefault(key, {})
        return store

    def __contains__(self, key: object) -> bool:
        return key in self._store()

    def __getitem__(self, key: Any) -> Any:
        return self._store()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._store()[key] = value


def share_loaded_data(loader: loaders.Loader) -> loaders.Loader:
    """Give a fresh botocore loader the shared store (its ``instance_cache`` dictionary)."""
    loader._cache = _LoadedData(loader)
    return loader


class FreshSession(botocore.session.Session):  # type: ignore[misc]
    """A new botocore session that copies its built-in handlers and shares loaded data."""

    _original_handler: hooks.HierarchicalEmitter
    _events: hooks.EventAliaser

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name, environment, _, convert = self.session_var_map["region"]
        self.session_var_map["region"] = (name, environment, DEFAULT_REGION, convert)

    def _register_builtin_handlers(self, events: Any) -> None:
        global _builtin_template
        built_from = (tuple(handlers.BUILTIN_HANDLERS), tuple(EVENT_ALIASES.items()))
        template = _builtin_template
        if template is None or template[0] != built_from:
            super()._register_builtin_handlers(events)
            _builtin_template = (built_from, copy.copy(self._original_handler))
            return
        self._original_handler = copy.copy(template[1])
        self._events = hooks.EventAliaser(self._original_handler)

    def _register_data_loader(self) -> None:
        self._components.lazy_register_component("data_loader", self._create_data_loader)

    def _create_data_loader(self) -> loaders.Loader:
        return share_loaded_data(loaders.create_loader(self.get_config_variable("data_path")))


def get_session(env_vars: dict[str, Any] | None = None) -> botocore.session.Session:
    """Return a new session object (what ``botocore.session.get_session`` promises)."""
    if not enabled:
        return botocore.session.Session(env_vars)
    return FreshSession(env_vars)


def _is_botocores_own(function: Any) -> bool:
    return (getattr(function, "__module__", None) == "botocore.session"
            and not hasattr(function, "__wrapped__"))


def install() -> None:
    """Make ``botocore.session.get_session`` return :class:`FreshSession`; idempotent. Left
    alone when something other than botocore's own function is there."""
    global _replaced
    with _lock:
        current = botocore.session.get_session
        if _replaced is not None or not _is_botocores_own(current):
            return
        _replaced = current
        botocore.session.get_session = get_session


def uninstall() -> None:
    """Put botocore's ``get_session`` back, unless something replaced ours meanwhile."""
    global _replaced
    with _lock:
        if _replaced is None:
            return
        if botocore.session.get_session is get_session:
            botocore.session.get_session = _replaced
        _replaced = None
