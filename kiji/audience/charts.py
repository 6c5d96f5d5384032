"""Server-rendered SVG charts for the admin: no JavaScript, no third-party library."""

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# The chart scales with its box, text included: at a phone's width (about 330 px for 720 units) the admin
# stylesheet (templates/audience/_style.html) draws ticks at PHONE_TICK units, about 12 px on screen.
# The margins leave room for labels of that size, so the larger labels are never cut off.
PHONE_TICK = 26


def bar_chart(
    points: list[tuple[str, int]], *, title: str, width: int = 720, height: int = 200, every: int = 1
) -> SafeString:
    """A bar chart of (label, value) points; every `every`-th label is written under its bar."""
    peak = max([v for _, v in points] + [1])
    # A digit or comma is at most about 0.6 em wide; the peak's label is the widest on the left axis.
    left = max(44, round(len(f"{peak:,}") * PHONE_TICK * 0.6) + 10)
    bottom, top = PHONE_TICK + 8, PHONE_TICK
    plot_w, plot_h = width - left - 8, height - bottom - top
    step = plot_w / max(len(points), 1)
    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" class="axis"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" class="tick">{peak:,}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" class="tick">0</text>',
    ]
    for i, (label, value) in enumerate(points):
        h = plot_h * value / peak
        x = left + i * step
        parts.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{top + plot_h - h:.1f}" width="{max(step * 0.8, 1):.1f}" '
            f'height="{h:.1f}" class="bar"><title>{escape(label)}: {value:,}</title></rect>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                f'class="tick">{escape(label)}</text>'
            )
    # Every value above is a number or escaped text, so the markup is safe to insert.
    body = mark_safe("".join(parts))
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}"><title>{}</title>{}</svg>',
        width,
        height,
        title,
        title,
        body,
    )
