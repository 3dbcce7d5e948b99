"""Finding elements of a platform's answer by class and attribute, for the embed-page readers: the
few CSS selectors they need, as tests over Beautiful Soup's tags (in document order, as CSS's
`select` returns them).

    first(root, has_class("name"), class_contains("display-name"))   # .name, [class*=display-name]
    every(root, tag("img", inside(has_class("EmbeddedMedia"))))          # .EmbeddedMedia img

Beautiful Soup's `select` hands CSS to soupsieve, which compiles its own patterns the first time
it is used in a process: 0.1 s of CPU, before the first post of every capture worker could be read."""
from __future__ import annotations

from collections.abc import Callable

from bs4 import Tag

Test = Callable[[Tag], bool]


def first(root: Tag, *tests: Test) -> Tag | None:
    """The first element under `root` that passes any of `tests` (a selector list's select_one)."""
    return root.find(lambda el: any(test(el) for test in tests))


def every(root: Tag, *tests: Test) -> list[Tag]:
    """Every element under `root` that passes any of `tests`, in document order (a selector
    list's select)."""
    return root.find_all(lambda el: any(test(el) for test in tests))


def has_class(name: str) -> Test:
    """`.name`"""
    return lambda el: name in (el.get("class") or ())


def class_contains(text: str) -> Test:
    """`[class*=text]`: the class attribute as written contains `text`."""
    return lambda el: text in " ".join(el.get("class") or ())


def attribute(name: str, value: str | None = None) -> Test:
    """`[name]`, or `[name=value]` when a value is given."""
    if value is None:
        return lambda el: el.has_attr(name)
    return lambda el: el.get(name) == value


def tag(name: str, *tests: Test) -> Test:
    """`name` with every one of `tests` (`a.author` is tag("a", has_class("author")))."""
    return lambda el: el.name == name and all(test(el) for test in tests)


def inside(test: Test) -> Test:
    """The descendant combinator's left side: some ancestor passes `test`."""
    return lambda el: any(test(parent) for parent in el.parents if isinstance(parent, Tag))
