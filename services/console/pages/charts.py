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


# A line's colour and dash, so the lines tell apart on screen and on a black-and-white print.
LINE_STYLES = (("#0b5cad", ""), ("#1a7f37", "6 3"), ("#b35900", "2 3"), ("#8a2be2", "8 3 2 3"), ("#c0392b", "1 0"))
Series = tuple[str, list[float | None]]  # the legend's label, one value a month (None: nothing to show)


def month_label(month: str, *, first: bool) -> str:
    """2026-11 → 11月; the first month and every January with its year, 2027年1月."""
    year, number = month.split("-")
    return f"{year}年{int(number)}月" if first or number == "01" else f"{int(number)}月"


def _scale_top(biggest: float) -> float:
    """A round top for a count axis: 1, 2 or 5 times a power of ten, at least the biggest value."""
    top = 1.0
    while True:
        for step in (1, 2, 5):
            if top * step >= biggest:
                return top * step
        top *= 10


def _style(n: int) -> tuple[str, str]:
    """The n-th line's stroke attributes: its colour (and width), and its dash."""
    colour, dash = LINE_STYLES[n % len(LINE_STYLES)]
    return f'stroke="{colour}" stroke-width="2"', f'stroke-dasharray="{dash}"' if dash else ""


def lines(months: list[str], series: list[Series], *, title: str, percent: bool = False, width: int = 640,
          height: int = 260) -> str:
    """Lines over months, a point a month with its value as the point's title; shares (0 to 1) drawn as percentages
    on a 0–100 % axis, counts on an axis from 0 to a round number."""
    if not months or not series:
        return ""
    left, right, top, bottom = 52, 16, 20 + 18 * ((len(series) + 2) // 3), 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    peak = 1.0 if percent else _scale_top(max(values, default=0) or 1)
    step = plot_w / max(len(months) - 1, 1)

    def x(i: int) -> float:
        return round(left + (i * step if len(months) > 1 else plot_w / 2), 1)

    def y(value: float) -> float:
        return round(top + plot_h - plot_h * min(value, peak) / peak, 1)

    def shown(value: float) -> str:
        return f"{value * 100:.1f}%" if percent else f"{value:g}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" class="chart trend"><title>{escape(title)}</title>']
    for n, (label, _) in enumerate(series):  # the legend, three a row
        colour, dash = _style(n)
        lx, ly = left + (n % 3) * 190, 14 + 18 * (n // 3)
        parts.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 24}" y2="{ly - 4}" {colour} {dash}/>'
                     f'<text x="{lx + 30}" y="{ly}" class="legend">{escape(label)}</text>')
    for k in range(5):  # the axis: five lines from 0 to the top
        value = peak * k / 4
        tick = f"{value * 100:.0f}%" if percent else f"{value:g}"
        parts.append(f'<line x1="{left}" y1="{y(value)}" x2="{width - right}" y2="{y(value)}" stroke="#ccc" '
                     f'stroke-width="1"/><text x="{left - 4}" y="{y(value) + 4}" text-anchor="end">{tick}</text>')
    every = max(1, -(-len(months) // 12))  # at most a dozen month labels
    for i, month in enumerate(months):
        if i % every == 0 or i == len(months) - 1:
            parts.append(f'<text x="{x(i)}" y="{height - bottom + 16}" text-anchor="middle" class="month">'
                         f'{escape(month_label(month, first=i == 0))}</text>')
    for n, (label, points) in enumerate(series):
        colour, dash = _style(n)
        fill = LINE_STYLES[n % len(LINE_STYLES)][0]
        runs: list[list[str]] = [[]]  # a gap (no value) breaks the line
        for i, point in enumerate(points):
            if point is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(i)},{y(point)}")
        for run in runs:
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" {colour} {dash}/>')
        for i, point in enumerate(points):
            if point is not None:
                parts.append(f'<circle cx="{x(i)}" cy="{y(point)}" r="3" fill="{fill}" class="point">'
                             f'<title>{escape(label)} {escape(month_label(months[i], first=True))}：'
                             f'{shown(point)}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)
