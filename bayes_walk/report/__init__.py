"""The HTML/Markdown report of fits (figures, sections, rendering) and the demo.

``bw.report(fits, out=...)`` is the public entry point. Importing any module of this
package makes Python bind ``bayes_walk.report`` to the package itself, which would hide
that function; so the package object is made callable and forwards to it.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    def __call__(self, fits: Any, out: Any, **options: Any) -> dict:
        from bayes_walk.api import report

        return report(fits, out, **options)


sys.modules[__name__].__class__ = _CallableModule
