"""Removable hook handles, as returned by ``register_hook`` and the Module hook methods."""
from __future__ import annotations

import itertools

__all__ = ["RemovableHandle"]

_ids = itertools.count()


class RemovableHandle:
    """Removes its hook from a list or dict when ``remove()`` is called (or on ``with`` exit)."""

    def __init__(self, container, hook=None, key=None) -> None:
        self.id = next(_ids)
        self._container = container
        self._hook = hook
        self._key = key

    def remove(self) -> None:
        container = self._container
        if container is None:
            return
        if isinstance(container, dict):
            container.pop(self._key if self._key is not None else self.id, None)
        else:
            for index, item in enumerate(container):
                if item is self._hook:
                    del container[index]
                    break
        self._container = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()
