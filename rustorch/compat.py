"""Run existing PyTorch code on rustorch: ``torch`` and every ``torch.*`` module map to rustorch.

From the command line (``python -m rustorch.compat train.py --epochs 3``, or
``python -m rustorch.compat -m package.module args``), or in-process::

    import rustorch.compat
    rustorch.compat.install()
    import torch                      # rustorch
    import torch.nn.functional as F   # rustorch.nn.functional
    rustorch.compat.uninstall()       # the real torch (if it was imported) is back

``install()`` binds ``sys.modules['torch']`` to rustorch and puts an import hook first on
``sys.meta_path`` that resolves ``torch.x.y`` to ``rustorch.x.y`` when it is first imported,
so no rustorch module is imported before a script asks for it. A module rustorch doesn't
have raises ``ModuleNotFoundError`` naming both the ``torch`` and the ``rustorch`` module.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys
from collections.abc import Iterator, Sequence

__all__ = ["install", "uninstall", "is_installed", "installed", "main"]

_ALIAS = "torch"
_TARGET = "rustorch"
_saved_modules: dict[str, object] = {}


def _target_name(fullname: str) -> str | None:
    """``torch.nn.functional`` -> ``rustorch.nn.functional``; None for other modules."""
    if fullname == _ALIAS or fullname.startswith(_ALIAS + "."):
        return _TARGET + fullname[len(_ALIAS):]
    return None


class _AliasLoader(importlib.abc.Loader):
    """Hands the import system an already-imported rustorch module under a torch name."""

    def __init__(self, module) -> None:
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module) -> None:
        pass  # the rustorch module already ran when it was imported under its own name


class _TorchFinder(importlib.abc.MetaPathFinder):
    """Resolves ``torch`` and ``torch.*`` imports to the matching rustorch modules."""

    def find_spec(self, fullname: str, path=None, target=None):
        target_name = _target_name(fullname)
        if target_name is None:
            return None
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as error:
            missing = error.name or ""
            # only translate "this rustorch module doesn't exist", not a failure inside it
            if target_name != missing and not target_name.startswith(missing + "."):
                raise
            raise ModuleNotFoundError(
                f"No module named '{fullname}': rustorch.compat maps it to '{target_name}', "
                f"which rustorch does not provide (yet)", name=fullname) from None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))


_finder = _TorchFinder()


def is_installed() -> bool:
    return any(finder is _finder for finder in sys.meta_path)


def install() -> None:
    """Make ``import torch`` (and ``import torch.x.y``) give rustorch modules.

    Modules already imported under ``torch`` names (a real PyTorch) are set aside and come
    back on ``uninstall()``.
    """
    if is_installed():
        return
    import rustorch
    for name in [name for name in sys.modules if _target_name(name) is not None]:
        _saved_modules[name] = sys.modules.pop(name)
    sys.meta_path.insert(0, _finder)
    sys.modules[_ALIAS] = rustorch


def uninstall() -> None:
    """Undo ``install()``: drop the torch aliases and restore what was there before."""
    if not is_installed():
        return
    sys.meta_path[:] = [finder for finder in sys.meta_path if finder is not _finder]
    for name in [name for name in sys.modules if _target_name(name) is not None]:
        module_name = getattr(sys.modules[name], "__name__", "")
        if module_name == _TARGET or module_name.startswith(_TARGET + "."):
            del sys.modules[name]
    sys.modules.update(_saved_modules)
    _saved_modules.clear()


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """``with installed(): ...`` runs the block with torch bound to rustorch."""
    already = is_installed()
    install()
    try:
        yield
    finally:
        if not already:
            uninstall()


_USAGE = """usage: python -m rustorch.compat SCRIPT.py [ARGS...]
       python -m rustorch.compat -m MODULE [ARGS...]

Run a PyTorch script or module with `torch` (and every `torch.*` module) bound to rustorch."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run a script (or ``-m module``) with torch bound to rustorch; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] in ("-h", "--help"):
        print(_USAGE)
        return 0 if arguments else 2
    install()
    saved_argv, saved_path0 = sys.argv[:], sys.path[0] if sys.path else None
    try:
        if arguments[0] == "-m":
            if len(arguments) < 2:
                print(_USAGE, file=sys.stderr)
                return 2
            sys.argv = [arguments[1], *arguments[2:]]
            runpy.run_module(arguments[1], run_name="__main__", alter_sys=True)
        else:
            script = arguments[0]
            sys.argv = [script, *arguments[1:]]
            # like `python script.py`: the script's folder comes first on the import path
            directory = os.path.dirname(os.path.abspath(script))
            if sys.path:
                sys.path[0] = directory
            else:
                sys.path.append(directory)
            runpy.run_path(script, run_name="__main__")
    finally:
        sys.argv = saved_argv
        if saved_path0 is not None and sys.path:
            sys.path[0] = saved_path0
    return 0


if __name__ == "__main__":
    sys.exit(main())
