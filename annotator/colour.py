"""Colour arithmetic for label palettes: how far apart two colours look (CIEDE2000),
how they look to a deuteranope, and whether text on a fill is readable (WCAG 2).

Plain formulas, no dependency: sRGB -> linear -> XYZ (D65) -> CIELAB, then ΔE2000 as in
Sharma, Wu and Dalal (2005); deuteranopia as the Machado et al. (2009) matrix of
severity 1.0 on linear RGB; contrast as WCAG 2.x defines it.
"""

from __future__ import annotations

import math

RGB = tuple[float, float, float]

#: Machado, Oliveira and Fernandes (2009), deuteranomaly of severity 1.0.
_DEUTAN = ((0.367322, 0.860646, -0.227968),
           (0.280085, 0.672501, 0.047413),
           (-0.011820, 0.042940, 0.968881))


def rgb(color: str) -> RGB:
    """``#rrggbb`` as three floats in 0..1."""
    value = color.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def hex_color(channels: RGB) -> str:
    """Three floats in 0..1 (clipped) as ``#rrggbb``."""
    return "#" + "".join(f"{round(min(1.0, max(0.0, c)) * 255):02x}" for c in channels)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def blend(color: str, alpha: float, under: str = "#ffffff") -> str:
    """``color`` drawn with opacity ``alpha`` (0..1) over ``under``, as the eye gets it."""
    top, bottom = rgb(color), rgb(under)
    return hex_color(tuple(alpha * t + (1 - alpha) * b  # type: ignore[arg-type]
                           for t, b in zip(top, bottom, strict=True)))


def deuteranopia(color: str) -> str:
    """How ``color`` looks to a reader without green cones (the commonest colour
    blindness)."""
    lin = [_linear(c) for c in rgb(color)]
    out = tuple(_gamma(sum(m * x for m, x in zip(row, lin, strict=True))) for row in _DEUTAN)
    return hex_color(out)  # type: ignore[arg-type]


def lab(color: str) -> RGB:
    """CIELAB (D65) of an sRGB colour."""
    r, g, b = (_linear(c) for c in rgb(color))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e2000(first: str, second: str) -> float:
    """The CIEDE2000 colour difference of two sRGB colours (about 2 is just
    noticeable side by side; 10 and more reads as another colour)."""
    return delta_e2000_lab(lab(first), lab(second))


def delta_e2000_lab(first: RGB, second: RGB) -> float:
    """CIEDE2000 of two CIELAB colours (Sharma, Wu and Dalal 2005)."""
    l1, a1, b1 = first
    l2, a2, b2 = second
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dh_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6))
         - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    d_theta = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean ** 7 / (cp_mean ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dh_big / s_h) ** 2
                     + r_t * (dc / s_c) * (dh_big / s_h))


def luminance(color: str) -> float:
    """WCAG relative luminance."""
    r, g, b = (_linear(c) for c in rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(text: str, fill: str) -> float:
    """WCAG 2 contrast ratio of ``text`` on ``fill`` (1..21; 4.5 for body text)."""
    high, low = sorted((luminance(text), luminance(fill)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def min_distance(colors: list[str], against: list[str] | None = None) -> float:
    """The smallest ΔE2000 between two of ``colors`` (or, given ``against``, between one
    of ``colors`` and one of ``against``)."""
    pairs = ([(x, y) for i, x in enumerate(colors) for y in colors[i + 1:]] if against is None
             else [(x, y) for x in colors for y in against])
    return min((delta_e2000(x, y) for x, y in pairs), default=math.inf)
