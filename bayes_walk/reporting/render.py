"""Report sections as blocks, rendered to Markdown and to self-contained HTML.

A section is a title and a list of blocks: paragraphs, warnings, tables and figures. The
same blocks give ``report.md`` (figures as files under ``figures/``) and ``index.html``
(figures embedded as base64 PNG, so the page works on its own).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from bayes_walk.reporting.figures import png_base64


@dataclass
class Table:
    """A table with a caption, a header and string cells."""

    caption: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Figure:
    """A PNG figure with its file name (under ``figures/``) and caption."""

    filename: str
    caption: str
    png: bytes


@dataclass
class Section:
    """A titled part of the report: an ordered list of blocks."""

    title: str
    anchor: str
    blocks: list = field(default_factory=list)

    def p(self, text: str) -> Section:
        self.blocks.append(("p", text))
        return self

    def warn(self, text: str) -> Section:
        self.blocks.append(("warn", text))
        return self

    def table(self, caption: str, header: list[str], rows: list[list[str]]) -> Section:
        self.blocks.append(("table", Table(caption, header, rows)))
        return self

    def figure(self, filename: str, caption: str, png: bytes) -> Section:
        self.blocks.append(("figure", Figure(filename, caption, png)))
        return self

    def figures(self) -> list[Figure]:
        return [b[1] for b in self.blocks if b[0] == "figure"]


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(title: str, intro: list[str], sections: list[Section]) -> str:
    """The whole report as Markdown."""
    out = [f"# {title}", ""]
    out += [line + "\n" for line in intro]
    out.append("Contents: " + " · ".join(f"[{s.title}](#{s.anchor})" for s in sections))
    out.append("")
    for s in sections:
        out += [f'<a id="{s.anchor}"></a>', "", f"## {s.title}", ""]
        for kind, *rest in s.blocks:
            if kind == "p":
                out += [rest[0], ""]
            elif kind == "warn":
                out += [f"> **Warning.** {rest[0]}", ""]
            elif kind == "table":
                t: Table = rest[0]
                out += [f"**{t.caption}**", ""]
                out.append("| " + " | ".join(_md_cell(h) for h in t.header) + " |")
                out.append("|" + "|".join("---" for _ in t.header) + "|")
                for row in t.rows:
                    out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
                out.append("")
            elif kind == "figure":
                f: Figure = rest[0]
                out += [f"![{f.caption}](figures/{f.filename})", "", f"*{f.caption}*", ""]
    return "\n".join(out) + "\n"


CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1180px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0 1.4em;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}
caption{caption-side:top;text-align:left;font-weight:600;padding-bottom:.3em}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9em;color:#555}
.warn{background:#fff4e5;border-left:4px solid #f0a030;padding:.5em .8em;margin:.6em 0}
nav a{margin-right:1em}
"""


def to_html(title: str, intro: list[str], sections: list[Section]) -> str:
    """The whole report as one self-contained HTML page."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    out += [f"<p>{e(line)}</p>" for line in intro]
    out.append("<nav>" + "".join(f'<a href="#{s.anchor}">{e(s.title)}</a>' for s in sections))
    out.append("</nav>")
    for s in sections:
        out.append(f'<section id="{s.anchor}"><h2>{e(s.title)}</h2>')
        for kind, *rest in s.blocks:
            if kind == "p":
                out.append(f"<p>{e(rest[0])}</p>")
            elif kind == "warn":
                out.append(f'<div class="warn"><b>Warning.</b> {e(rest[0])}</div>')
            elif kind == "table":
                t: Table = rest[0]
                out.append(f"<table><caption>{e(t.caption)}</caption><thead><tr>")
                out.append("".join(f"<th>{e(str(h))}</th>" for h in t.header) + "</tr></thead>")
                out.append("<tbody>")
                for row in t.rows:
                    out.append("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>")
                out.append("</tbody></table>")
            elif kind == "figure":
                f: Figure = rest[0]
                out.append(
                    f'<figure><img alt="{e(f.caption)}" src="{png_base64(f.png)}">'
                    f"<figcaption>{e(f.caption)}</figcaption></figure>"
                )
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
