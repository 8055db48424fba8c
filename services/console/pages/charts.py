"""Bar charts as SVG, drawn on the server: no script, no chart library, nothing fetched. Pure."""

from __future__ import annotations

from html import escape


def bars(rows: list[tuple[str, int, int]], *, first: str, second: str, width: int = 640) -> str:
    """Horizontal bars, two per row (e.g. registered and placed), labelled with the figures."""
    if not rows:
        return ""
    label_w, bar_h, gap = 130, 14, 12
    top = 28
    height = top + len(rows) * (2 * bar_h + gap) + 4
    biggest = max(max(a, b) for _, a, b in rows) or 1
    room = width - label_w - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(first)}与{escape(second)}" class="chart">',
             f'<rect x="{label_w}" y="4" width="12" height="12" class="bar-a"/>'
             f'<text x="{label_w + 16}" y="15">{escape(first)}</text>',
             f'<rect x="{label_w + 110}" y="4" width="12" height="12" class="bar-b"/>'
             f'<text x="{label_w + 126}" y="15">{escape(second)}</text>']
    for i, (name, a, b) in enumerate(rows):
        y = top + i * (2 * bar_h + gap)
        wa, wb = round(room * a / biggest), round(room * b / biggest)
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_h + 4}" text-anchor="end">{escape(name)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{wa}" height="{bar_h}" class="bar-a"/>'
                     f'<text x="{label_w + wa + 4}" y="{y + bar_h - 2}">{a}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + bar_h}" width="{wb}" height="{bar_h}" class="bar-b"/>'
                     f'<text x="{label_w + wb + 4}" y="{y + 2 * bar_h - 2}">{b}</text>')
    parts.append("</svg>")
    return "".join(parts)
