"""``{% zone_shape "cheeks" zones charted %}<shapes>{% endzone_shape %}``: one face-map zone.

It wraps the shapes in a link (``?zone=<id>#zone-form``) carrying the zone's id, title and
depth range from the knowledge base, so the map never hard-codes a clinical number.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


class ZoneShapeNode(template.Node):
    def __init__(self, zone: str, zones: Any, charted: Any, nodelist: template.NodeList):
        self.zone = zone
        self.zones = zones
        self.charted = charted
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        limits = self.zones.resolve(context).get(self.zone)
        if limits is None:
            return mark_safe("")
        charted = self.charted.resolve(context) or {}
        classes = "zone charted" if self.zone in charted else "zone"
        label = f"{limits.title} ({limits.min_mm}–{limits.max_mm} mm)"
        note = context.get("note")
        if note is not None and getattr(note, "is_signed", False):
            # A signed note's map is a picture of what was charted: nothing to operate.
            return format_html(
                '<g class="{}" data-zone="{}" role="img" aria-label="{}"><title>{}</title>{}</g>',
                classes,
                limits.id,
                label,
                label,
                self.nodelist.render(context),
            )
        # A link: focusable and operable by keyboard without script (it opens the chart
        # form with the zone chosen); charting.js picks the zone in place instead.
        return format_html(
            '<a class="{}" data-zone="{}" data-title="{}" data-min="{}" data-max="{}" '
            'href="?zone={}#zone-form" aria-label="{}"><title>{}</title>{}</a>',
            classes,
            limits.id,
            limits.title,
            limits.min_mm,
            limits.max_mm,
            limits.id,
            label,
            label,
            self.nodelist.render(context),
        )


@register.tag
def zone_shape(parser: Parser, token: Token) -> ZoneShapeNode:
    bits = token.split_contents()
    if len(bits) != 4:
        raise template.TemplateSyntaxError("zone_shape takes a zone id, zones and charted")
    nodelist = parser.parse(("endzone_shape",))
    parser.delete_first_token()
    return ZoneShapeNode(
        bits[1].strip("\"'"),
        parser.compile_filter(bits[2]),
        parser.compile_filter(bits[3]),
        nodelist,
    )
