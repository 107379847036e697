"""Values computed once per fact sheet and shared by every audience's notice.

A batch renders and checks every audience of one sheet in a row, and some of what a notice
needs is a fact about the whole sheet: its deadlines, who else it writes to, its text values,
its domains. Computed per notice, each costs time in proportion to the number of audiences,
so a 1,000-audience sheet would cost more per notice than a 10-audience one. ``per_sheet``
computes such a value once per sheet object.

Sheets are frozen models, so a value computed from one stays right for as long as it lives.
Entries are keyed by the sheet's identity and dropped when the sheet is collected (a weak
reference), so a new sheet never gets a dead one's values. A value must not hold the sheet
itself, or the sheet would never be collected.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, cast

if TYPE_CHECKING:
    from notifier.model import FactSheet

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


def per_sheet(fn: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Decorate ``fn(sheet, *args)`` so that it runs once per sheet object and argument values.

    The other arguments must be hashable and positional. The cache is per function.
    """
    table: dict[tuple[int, tuple[Hashable, ...]], tuple[weakref.ref[Any], R]] = {}

    @functools.wraps(fn)
    def wrapper(sheet: S, *args: P.args, **kwargs: P.kwargs) -> R:
        if kwargs:
            return fn(sheet, *args, **kwargs)
        key = (id(sheet), args)
        hit = table.get(key)
        if hit is not None and hit[0]() is sheet:
            return hit[1]
        value = fn(sheet, *args, **kwargs)

        def forget(_ref: weakref.ref[Any], key: tuple[int, tuple[Hashable, ...]] = key) -> None:
            table.pop(key, None)

        table[key] = (weakref.ref(sheet, forget), value)
        return value

    wrapper.cache_clear = table.clear  # type: ignore[attr-defined]
    return cast("Callable[Concatenate[S, P], R]", wrapper)


@per_sheet
def _positions(sheet: FactSheet) -> dict[str, int]:
    return {audience.id: i for i, audience in enumerate(sheet.audiences)}


def audience_index(sheet: FactSheet, audience_id: str) -> int | None:
    """Return the position of the audience with this id in ``sheet.audiences``, or None."""
    return _positions(sheet).get(audience_id)
