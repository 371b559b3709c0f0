"""The HTML/Markdown report of fits (figures, sections, rendering), the sweep report and
the demo. ``bw.report(fits, out=...)`` is the public entry point."""
