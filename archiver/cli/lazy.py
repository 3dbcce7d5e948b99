"""Modules imported on first use, for the command line only (`archiver.cli` calls this before
anything imports Beautiful Soup): a library caller's process keeps its modules as they are.

Beautiful Soup imports soupsieve (its CSS selectors) as it is imported, and soupsieve compiles its
patterns then: 0.035 s of every command that parses HTML, though archiver never selects with CSS
(embeds/_match.py). Whoever does still gets it, on first use."""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types


class _ImportedOnFirstUse(types.ModuleType):
    """Stands in for a module in sys.modules until one of its attributes is read, then imports
    it and becomes a copy of it. (importlib.util.LazyLoader would load it at the very `import`
    that finds it, which reads the module's `__spec__`; this stand-in has its own.)"""

    def __init__(self, spec) -> None:
        super().__init__(spec.name)
        self.__spec__ = spec

    def __getattr__(self, attr: str):   # only for attributes the stand-in does not have
        name = self.__spec__.name
        if sys.modules.get(name) is self:
            del sys.modules[name]
        self.__dict__.update(importlib.import_module(name).__dict__)
        try:
            return self.__dict__[attr]
        except KeyError:
            raise AttributeError(f"module {name!r} has no attribute {attr!r}") from None


def import_on_first_use(name: str) -> None:
    """Put a stand-in for `name` in sys.modules, unless it is imported already."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is not None:
        sys.modules[name] = _ImportedOnFirstUse(spec)

