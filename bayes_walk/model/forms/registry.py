"""The registry of dose-response forms: name -> :class:`~bayes_walk.model.forms.form.Form`.

Built-in forms register themselves when :mod:`bayes_walk.model.forms` is imported; a new
form is one module (or one class in a test) decorated with :func:`register_form`, after
which a spec can name it in ``[exposures.<name>] form = "..."``.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from bayes_walk.errors import SpecError

if TYPE_CHECKING:
    from bayes_walk.model.forms.form import Form

# the registry itself (not a cache): filled by register_form at import of each form
FORMS: dict[str, Form] = {}


def register_form(cls: type[Form]) -> type[Form]:
    """Class decorator: register an instance of ``cls`` under ``cls.name``.

    Raises
    ------
    SpecError
        When the name is empty or already taken by another class.
    """
    name = getattr(cls, "name", "")
    if not isinstance(name, str) or not name.isidentifier():
        raise SpecError(f"form class {cls.__name__}: 'name' must be an identifier, got {name!r}")
    old = FORMS.get(name)
    if old is not None and type(old).__qualname__ != cls.__qualname__:
        raise SpecError(f"form {name!r} is already registered by {type(old).__qualname__}")
    FORMS[name] = cls()
    return cls


def unregister_form(name: str) -> None:
    """Remove form ``name`` (tests that register a toy form clean up with this)."""
    FORMS.pop(name, None)


def get_form(name: str) -> Form:
    """The registered form ``name``.

    Raises
    ------
    SpecError
        Unknown form (the message lists the known ones).
    """
    try:
        return FORMS[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), list(FORMS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise SpecError(f"unknown form {name!r}{hint}; known forms: {', '.join(FORMS)}") from None


def strata_forms() -> tuple[str, ...]:
    """Names of the forms that can carry partially pooled stratum curves."""
    return tuple(n for n, f in FORMS.items() if f.supports_strata)
