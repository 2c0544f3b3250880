"""A designed cover for a project that has none: one picture per cause, drawn as SVG on
the server (no font, no script, no image upload), in the cause's colours. Pure: no
database; projects.views serves it at /projects/covers/<cause>.svg."""

from __future__ import annotations

from functools import lru_cache

# Per cause: background from, to, and the motif's colour.
PALETTES = {
    "elders": ("#f6d6b8", "#e9a46a", "#8a3b12"),
    "children": ("#cfe6fb", "#7fb6e9", "#1f4e79"),
    "education": ("#d9efd0", "#93c98a", "#2b5d25"),
    "health": ("#fbdada", "#ee9a9a", "#8e1f1f"),
    "environment": ("#e3f1c8", "#a9cf6b", "#3b5f12"),
    "animals": ("#fbe8c8", "#efbf73", "#7a4a0c"),
    "disaster": ("#e6e0f4", "#a99ad6", "#3d2d73"),
    "poverty": ("#fdeec0", "#f0c95a", "#7a5a06"),
    "disability": ("#d6f0ee", "#86cfc7", "#1d5a55"),
    "culture": ("#f8d9e8", "#e59bc0", "#7a1f4b"),
}
DEFAULT = ("#eeeae4", "#cfc6ba", "#5a4f43")

# Each motif is drawn in a 320 × 180 box, centred near (160, 95), with the motif colour `c`.
MOTIFS = {
    # A house with a warm sun: home for elders.
    "elders": '<circle cx="232" cy="52" r="20" fill="#fff3d6"/><path d="M110 100 L160 62 L210 100 Z" fill="{c}"/>'
              '<rect x="122" y="100" width="76" height="52" fill="{c}"/><rect x="150" y="118" width="20" height="34" fill="#fff3d6"/>',
    # A kite on its string: childhood.
    "children": '<path d="M170 40 L200 78 L170 116 L140 78 Z" fill="{c}"/><path d="M170 116 C160 140 190 150 176 170" '
                'stroke="{c}" stroke-width="3" fill="none"/><path d="M140 78 L200 78 M170 40 L170 116" stroke="#fff" stroke-width="2"/>',
    # An open book.
    "education": '<path d="M160 62 C140 50 110 50 92 56 L92 142 C110 136 140 136 160 148 Z" fill="{c}"/>'
                 '<path d="M160 62 C180 50 210 50 228 56 L228 142 C210 136 180 136 160 148 Z" fill="{c}" opacity=".8"/>',
    # A heart with a heartbeat (no cross: the red cross is a protected emblem).
    "health": '<path d="M160 150 C100 110 96 70 124 58 C142 50 156 60 160 72 C164 60 178 50 196 58 C224 70 220 110 160 150 Z" '
              'fill="{c}"/><path d="M118 98 H144 L152 80 L164 116 L174 92 L180 98 H204" stroke="#fff" stroke-width="5" '
              'fill="none" stroke-linejoin="round" stroke-linecap="round"/>',
    # Three trees on a hill.
    "environment": '<path d="M40 165 C110 120 210 120 280 165 Z" fill="{c}" opacity=".45"/>'
                   '<path d="M120 128 L136 84 L152 128 Z M150 124 L170 64 L190 124 Z M186 128 L202 88 L218 128 Z" fill="{c}"/>'
                   '<rect x="167" y="124" width="6" height="16" fill="{c}"/>',
    # A paw.
    "animals": '<ellipse cx="160" cy="118" rx="30" ry="24" fill="{c}"/><circle cx="124" cy="86" r="11" fill="{c}"/>'
               '<circle cx="146" cy="68" r="11" fill="{c}"/><circle cx="174" cy="68" r="11" fill="{c}"/><circle cx="196" cy="86" r="11" fill="{c}"/>',
    # A tent: shelter after a disaster.
    "disaster": '<path d="M100 150 L160 58 L220 150 Z" fill="{c}"/><path d="M160 58 L146 150 L174 150 Z" fill="#fff" opacity=".85"/>'
                '<path d="M80 150 H240" stroke="{c}" stroke-width="4"/>',
    # A bowl of rice.
    "poverty": '<path d="M104 100 H216 C212 136 190 152 160 152 C130 152 108 136 104 100 Z" fill="{c}"/>'
               '<path d="M112 100 C120 74 200 74 208 100 Z" fill="#fffaf0"/>',
    # A wheel and a helping hand's arc.
    "disability": '<circle cx="160" cy="104" r="40" fill="none" stroke="{c}" stroke-width="10"/><circle cx="160" cy="104" r="8" fill="{c}"/>'
                  '<path d="M160 64 V144 M120 104 H200" stroke="{c}" stroke-width="4"/>',
    # A lantern.
    "culture": '<ellipse cx="160" cy="102" rx="46" ry="38" fill="{c}"/><rect x="146" y="56" width="28" height="10" fill="{c}"/>'
               '<rect x="146" y="138" width="28" height="10" fill="{c}"/><path d="M160 148 V172" stroke="{c}" stroke-width="3"/>'
               '<path d="M160 64 V140 M136 70 C124 90 124 114 136 134 M184 70 C196 90 196 114 184 134" stroke="#fff" stroke-width="2" fill="none" opacity=".7"/>',
}
# Grains of sand along the bottom: the platform's own mark on every cover.
GRAINS = "".join(f'<circle cx="{24 + i * 34}" cy="{170 - (i % 3) * 3}" r="{3 + i % 2}" fill="#fff" opacity=".6"/>' for i in range(9))


@lru_cache(maxsize=32)
def cover_svg(cause: str) -> str:
    start, end, colour = PALETTES.get(cause, DEFAULT)
    motif = MOTIFS.get(cause, '<circle cx="160" cy="100" r="40" fill="{c}"/>').format(c=colour)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 180" width="320" height="180" role="img">'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{start}"/>'
        f'<stop offset="1" stop-color="{end}"/></linearGradient></defs>'
        f'<rect width="320" height="180" fill="url(#g)"/>{motif}{GRAINS}</svg>'
    )
