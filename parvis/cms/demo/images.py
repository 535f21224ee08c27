"""Illustrations of the demo site, drawn with Pillow: Provençal hills, pines, the village
and the mine headframe. Deterministic (same key, same picture) and nothing downloaded.

Every landscape is 1600×900 JPEG, about 40–140 KB; covers are portrait A4-shaped JPEGs.
"""

from __future__ import annotations

import io
import math
import random
import unicodedata
import zlib
from collections.abc import Callable

from PIL import Image, ImageColor, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 1600, 900
SCALE = 2  # drawn at twice the size, then reduced: smooth edges without antialiased shapes

SKIES = {
    "day": ("#5d9fd1", "#cfe6f3"),
    "morning": ("#7bb3dc", "#f7e3c4"),
    "golden": ("#6d8fc4", "#f6c98e"),
    "sunset": ("#3f4f86", "#f4a36c"),
    "night": ("#0e1633", "#3a3f70"),
    "storm": ("#4a5462", "#b9aa91"),
    "haze": ("#9fc3dc", "#efe6d4"),
}

FAR_HILLS = "#8d9bbd"
MID_HILLS = "#6f8c6a"
NEAR_HILLS = "#4d6a3d"
OCHRE = "#c9935a"
STONE = "#e6d2b0"
ROOF = "#b4532f"
IRON = "#3a3d44"
PINE = "#2f4a2c"


def rgb(value: str) -> tuple[int, int, int]:
    return ImageColor.getrgb(value)[:3]


def mix(a: str, b: str, t: float) -> tuple[int, int, int]:
    ca, cb = rgb(a), rgb(b)
    return tuple(round(x + (y - x) * t) for x, y in zip(ca, cb, strict=True))


class Canvas:
    """A supersampled drawing surface; coordinates are given in final pixels."""

    def __init__(self, width: int = WIDTH, height: int = HEIGHT, seed: int = 0):
        self.width, self.height = width, height
        self.image = Image.new("RGB", (width * SCALE, height * SCALE))
        self.draw = ImageDraw.Draw(self.image)
        self.rng = random.Random(seed)

    # -- primitives in final-pixel coordinates -------------------------------------------
    def _p(self, points):
        return [(x * SCALE, y * SCALE) for x, y in points]

    def polygon(self, points, fill):
        self.draw.polygon(self._p(points), fill=rgb(fill) if isinstance(fill, str) else fill)

    def rect(self, x0, y0, x1, y1, fill):
        self.draw.rectangle(
            (x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE),
            fill=rgb(fill) if isinstance(fill, str) else fill,
        )

    def ellipse(self, cx, cy, rx, ry, fill=None, outline=None, width=1):
        box = ((cx - rx) * SCALE, (cy - ry) * SCALE, (cx + rx) * SCALE, (cy + ry) * SCALE)
        self.draw.ellipse(
            box,
            fill=rgb(fill) if isinstance(fill, str) else fill,
            outline=rgb(outline) if isinstance(outline, str) else outline,
            width=max(1, round(width * SCALE)),
        )

    def line(self, points, fill, width=1.0):
        self.draw.line(
            self._p(points),
            fill=rgb(fill) if isinstance(fill, str) else fill,
            width=max(1, round(width * SCALE)),
        )

    # -- scenery --------------------------------------------------------------------------
    def sky(self, sky: str):
        top, bottom = SKIES[sky]
        rows = self.image.height
        strip = Image.new("RGB", (1, rows))
        strip.putdata([mix(top, bottom, y / (rows - 1)) for y in range(rows)])
        self.image.paste(strip.resize(self.image.size, Image.Resampling.NEAREST))

    def glow(self, cx, cy, radius, colour, strength=170):
        """A soft halo (sun, lamp), blurred at low resolution to stay fast."""
        size = 64
        small = Image.new("L", (size, size), 0)
        ImageDraw.Draw(small).ellipse((16, 16, 48, 48), fill=strength)
        small = small.filter(ImageFilter.GaussianBlur(6))
        side = round(radius * 2 * SCALE)
        mask = small.resize((side, side), Image.Resampling.BILINEAR)
        box = (round((cx - radius) * SCALE), round((cy - radius) * SCALE))
        self.image.paste(Image.new("RGB", (side, side), rgb(colour)), box, mask=mask)

    def sun(self, cx, cy, r, colour="#fff1c9"):
        self.glow(cx, cy, r * 3.2, colour, 120)
        self.ellipse(cx, cy, r, r, fill=colour)

    def stars(self, count=120):
        for _ in range(count):
            x, y = self.rng.uniform(0, self.width), self.rng.uniform(0, self.height * 0.5)
            r = self.rng.choice((0.8, 1.0, 1.4))
            self.ellipse(x, y, r, r, fill="#f4f1df")

    def ridge(self, base_y, amplitude, colour, roughness=3, peak=None):
        """A line of hills; ``peak`` = (x, height) adds a Sainte-Victoire-like crest."""
        rng = self.rng
        waves = [
            (rng.uniform(0.6, 1.6) * (i + 1), rng.uniform(0, math.tau), amplitude / (i + 1.4))
            for i in range(roughness)
        ]
        points = [(0, self.height)]
        for step in range(0, self.width + 21, 20):
            x = step
            y = base_y
            for freq, phase, amp in waves:
                y -= amp * (0.5 + 0.5 * math.sin(freq * x / self.width * math.tau + phase))
            if peak:
                px, ph = peak
                d = (x - px) / (self.width * 0.18)
                y -= ph * math.exp(-d * d) * (1.0 if d < 0 else 0.75)
            points.append((x, y))
        points.append((self.width, self.height))
        self.polygon(points, colour)

    def ground(self, top_y, colour):
        self.rect(0, top_y, self.width, self.height, colour)

    def umbrella_pine(self, x, base_y, h, colour=PINE, trunk="#5a3b26"):
        self.line([(x, base_y), (x + h * 0.05, base_y - h * 0.7)], trunk, width=h * 0.05)
        cy = base_y - h * 0.78
        for dx, dy, rx, ry in (
            (-0.22, 0.02, 0.28, 0.11),
            (0.2, 0.0, 0.3, 0.12),
            (0.0, -0.07, 0.34, 0.12),
            (0.05, 0.06, 0.3, 0.09),
        ):
            self.ellipse(x + dx * h, cy + dy * h, rx * h, ry * h, fill=colour)

    def cypress(self, x, base_y, h, colour="#2b3f28"):
        self.polygon(
            [
                (x, base_y - h),
                (x + h * 0.09, base_y - h * 0.55),
                (x + h * 0.07, base_y),
                (x - h * 0.07, base_y),
                (x - h * 0.09, base_y - h * 0.55),
            ],
            colour,
        )

    def pine_forest(self, y_from, y_to, count, colour=PINE, size=(50, 110)):
        trees = sorted(
            (self.rng.uniform(y_from, y_to), self.rng.uniform(0, self.width)) for _ in range(count)
        )
        for y, x in trees:
            t = (y - y_from) / max(1, y_to - y_from)
            h = size[0] + (size[1] - size[0]) * t
            shade = mix(colour, "#1d2e1b", t * 0.6)
            self.umbrella_pine(x, y, h, colour=shade)

    def house(self, x, base_y, w, h, wall=STONE, roof=ROOF, windows=True):
        self.rect(x, base_y - h, x + w, base_y, wall)
        self.polygon(
            [
                (x - w * 0.06, base_y - h),
                (x + w * 0.5, base_y - h - w * 0.22),
                (x + w * 1.06, base_y - h),
            ],
            roof,
        )
        if windows:
            for i in range(max(1, int(w // 45))):
                wx = x + 14 + i * 45
                if wx + 16 > x + w - 8:
                    break
                for wy in (base_y - h + 18, base_y - h * 0.5 + 6):
                    if wy + 24 < base_y - 4:
                        self.rect(wx, wy, wx + 16, wy + 24, "#6b4a36")
                        self.rect(wx - 4, wy, wx, wy + 24, "#5f8b9c")
                        self.rect(wx + 16, wy, wx + 20, wy + 24, "#5f8b9c")

    def bell_tower(self, x, base_y, w, h):
        """A Provençal bell tower with its wrought-iron campanile."""
        self.rect(x, base_y - h, x + w, base_y, "#dcc6a1")
        self.rect(x + w * 0.3, base_y - h * 0.8, x + w * 0.7, base_y - h * 0.62, "#5d4635")
        top = base_y - h
        self.line([(x + w * 0.15, top), (x + w * 0.5, top - w * 1.1)], IRON, 3)
        self.line([(x + w * 0.85, top), (x + w * 0.5, top - w * 1.1)], IRON, 3)
        self.ellipse(x + w * 0.5, top - w * 0.45, w * 0.32, w * 0.5, outline=IRON, width=3)
        self.ellipse(x + w * 0.5, top - w * 0.32, w * 0.13, w * 0.16, fill="#8c6a2f")
        self.line([(x + w * 0.5, top - w * 1.1), (x + w * 0.5, top - w * 1.4)], IRON, 3)

    def village(self, base_y, x_from, x_to, tower_at=None):
        x = x_from
        while x < x_to:
            w = self.rng.uniform(90, 160)
            h = self.rng.uniform(70, 130)
            wall = mix(STONE, OCHRE, self.rng.uniform(0, 0.6))
            self.house(
                x,
                base_y + self.rng.uniform(-6, 6),
                w,
                h,
                wall=wall,
                roof=mix(ROOF, "#8f3d22", self.rng.uniform(0, 0.6)),
            )
            x += w * self.rng.uniform(0.7, 1.0)
        if tower_at is not None:
            self.bell_tower(tower_at, base_y, 52, 230)

    def headframe(self, x, base_y, h, colour=IRON, building=True):
        """The steel headframe of a mine shaft: lattice tower, sheaves and back-stay."""
        w = h * 0.32
        top = base_y - h
        lb, rb = (x - w / 2, base_y), (x + w / 2, base_y)
        lt, rt = (x - w / 4, top + h * 0.08), (x + w / 4, top + h * 0.08)
        lw = max(2.5, h * 0.012)
        self.line([lb, lt], colour, lw * 1.6)
        self.line([rb, rt], colour, lw * 1.6)
        levels = 8
        for i in range(levels + 1):
            t = i / levels
            y = base_y - t * (base_y - lt[1])
            half = w / 2 - t * (w / 4)
            self.line([(x - half, y), (x + half, y)], colour, lw)
            if i < levels:
                t2 = (i + 1) / levels
                y2 = base_y - t2 * (base_y - lt[1])
                half2 = w / 2 - t2 * (w / 4)
                self.line([(x - half, y), (x + half2, y2)], colour, lw * 0.7)
                self.line([(x + half, y), (x - half2, y2)], colour, lw * 0.7)
        self.rect(x - w * 0.38, top + h * 0.04, x + w * 0.38, top + h * 0.1, colour)
        # back-stay (bigue) towards the winding house
        sx = x + h * 0.62
        self.line([(x + w / 4, top + h * 0.1), (sx, base_y)], colour, lw * 1.6)
        self.line([(x + w / 8, top + h * 0.14), (sx - w * 0.35, base_y)], colour, lw * 1.2)
        for i in range(1, 7):
            t = i / 7
            ax = x + w / 4 + t * (sx - x - w / 4)
            ay = top + h * 0.1 + t * (base_y - top - h * 0.1)
            bx = x + w / 8 + t * (sx - w * 0.35 - x - w / 8)
            by = top + h * 0.14 + t * (base_y - top - h * 0.14)
            self.line([(ax, ay), (bx, by)], colour, lw * 0.7)
        # two sheaves (molettes)
        r = h * 0.085
        for dx in (-w * 0.16, w * 0.16):
            cx, cy = x + dx, top + h * 0.02
            self.ellipse(cx, cy, r, r, outline=colour, width=lw * 1.2)
            for k in range(6):
                a = k * math.pi / 3
                self.line(
                    [(cx, cy), (cx + r * math.cos(a), cy + r * math.sin(a))], colour, lw * 0.6
                )
        if building:
            bx = x + h * 0.72
            self.rect(bx, base_y - h * 0.28, bx + h * 0.55, base_y, "#c8a27c")
            self.polygon(
                [
                    (bx - 8, base_y - h * 0.28),
                    (bx + h * 0.275, base_y - h * 0.4),
                    (bx + h * 0.55 + 8, base_y - h * 0.28),
                ],
                "#9a4a2c",
            )
            for i in range(3):
                wx = bx + h * 0.06 + i * h * 0.16
                self.rect(wx, base_y - h * 0.22, wx + h * 0.08, base_y - h * 0.06, "#5c4636")
            self.line(
                [(x + w * 0.16 + r, top + h * 0.02), (bx + h * 0.05, base_y - h * 0.24)],
                "#2a2a2a",
                1.5,
            )

    def flag(self, x, y, h):
        self.line([(x, y), (x, y + h)], "#777", 3)
        fw = h * 0.45
        for i, colour in enumerate(("#1f3f8f", "#f5f5f5", "#d1253a")):
            self.rect(x + i * fw / 3, y + 2, x + (i + 1) * fw / 3, y + 2 + fw * 0.66, colour)

    def town_hall(self, cx, base_y, w, h):
        x = cx - w / 2
        self.rect(x, base_y - h, x + w, base_y, "#ead9bb")
        self.polygon(
            [(x - 10, base_y - h), (cx, base_y - h - 70), (x + w + 10, base_y - h)], "#a9502f"
        )
        for row in range(2):
            for col in range(5):
                wx = x + 40 + col * (w - 80) / 4 - 18
                wy = base_y - h + 40 + row * (h / 2)
                self.rect(wx, wy, wx + 36, wy + (70 if row else 60), "#4f6f7f")
                self.rect(wx - 6, wy, wx, wy + (70 if row else 60), "#7fa3a8")
                self.rect(wx + 36, wy, wx + 42, wy + (70 if row else 60), "#7fa3a8")
        self.rect(cx - 34, base_y - 110, cx + 34, base_y, "#5a3a28")
        self.ellipse(cx, base_y - 110, 34, 30, fill="#5a3a28")
        self.rect(cx - 120, base_y - h + 6, cx + 120, base_y - h + 30, "#f4ead6")
        self.flag(cx + w / 2 - 60, base_y - h - 110, 120)
        self.flag(cx - w / 2 + 60, base_y - h - 110, 120)

    def plane_trees(self, y, count, colour="#58733f"):
        for i in range(count):
            x = (i + 0.5) * self.width / count + self.rng.uniform(-30, 30)
            self.line([(x, y), (x, y - 150)], "#b7a58a", 14)
            for _ in range(5):
                self.ellipse(
                    x + self.rng.uniform(-70, 70),
                    y - 190 + self.rng.uniform(-40, 30),
                    self.rng.uniform(60, 100),
                    self.rng.uniform(40, 70),
                    fill=mix(colour, "#3b5529", self.rng.uniform(0, 1)),
                )

    def bunting(self, y, sag=60, colours=("#d1253a", "#f2c14e", "#2e86ab", "#6aa84f")):
        for row, yy in enumerate((y, y + 90)):
            pts = [(x, yy + sag * math.sin(math.pi * x / self.width)) for x in range(0, 1601, 40)]
            self.line(pts, "#ddd", 2)
            for i, (x, py) in enumerate(pts[:-1]):
                c = colours[(i + row) % len(colours)]
                self.polygon([(x + 4, py), (x + 36, py + 2), (x + 20, py + 38)], c)

    def lights(self, y, count=24, colour="#ffe8a3"):
        for i in range(count):
            x = (i + 0.5) * self.width / count
            yy = y + 40 * math.sin(math.pi * x / self.width)
            self.glow(x, yy, 26, colour, 110)
            self.ellipse(x, yy, 6, 6, fill=colour)

    def awnings(self, base_y, count=5):
        stripes = (("#c0392b", "#f5efe6"), ("#2e6f95", "#f5efe6"), ("#3f7d3a", "#f3e7c9"))
        w = self.width / count
        for i in range(count):
            x0 = i * w + 20
            a, b = stripes[i % len(stripes)]
            for k in range(8):
                c = a if k % 2 == 0 else b
                sx = x0 + k * (w - 40) / 8
                self.polygon(
                    [
                        (sx, base_y - 220),
                        (sx + (w - 40) / 8, base_y - 220),
                        (sx + (w - 40) / 8 + 6, base_y - 150),
                        (sx + 6, base_y - 150),
                    ],
                    c,
                )
            self.rect(x0 + 10, base_y - 150, x0 + w - 50, base_y - 100, "#8a5a34")
            for k in range(6):
                fruit = self.rng.choice(("#e67e22", "#c0392b", "#f1c40f", "#6ab04c", "#8e44ad"))
                self.ellipse(x0 + 30 + k * (w - 90) / 6, base_y - 160, 16, 12, fill=fruit)
            self.line([(x0 + 8, base_y - 220), (x0 + 8, base_y)], "#555", 4)
            self.line([(x0 + w - 44, base_y - 220), (x0 + w - 44, base_y)], "#555", 4)

    def cones(self, base_y, xs):
        for x in xs:
            self.polygon([(x - 30, base_y), (x, base_y - 90), (x + 30, base_y)], "#e8641b")
            self.polygon(
                [
                    (x - 19, base_y - 30),
                    (x - 12, base_y - 52),
                    (x + 12, base_y - 52),
                    (x + 19, base_y - 30),
                ],
                "#f7f4ee",
            )
            self.rect(x - 38, base_y - 6, x + 38, base_y + 4, "#333")

    def road(self, horizon_y):
        cx = self.width / 2
        self.polygon(
            [
                (cx - 40, horizon_y),
                (cx + 40, horizon_y),
                (self.width * 0.95, self.height),
                (self.width * 0.05, self.height),
            ],
            "#5c5f63",
        )
        for i in range(6):
            t0, t1 = i / 6, (i + 0.45) / 6
            y0 = horizon_y + (self.height - horizon_y) * t0**1.6
            y1 = horizon_y + (self.height - horizon_y) * t1**1.6
            self.polygon(
                [
                    (cx - 2 - 10 * t0, y0),
                    (cx + 2 + 10 * t0, y0),
                    (cx + 2 + 10 * t1, y1),
                    (cx - 2 - 10 * t1, y1),
                ],
                "#f0f0f0",
            )

    def school(self, cx, base_y):
        w, h = 900, 260
        x = cx - w / 2
        self.rect(x, base_y - h, x + w, base_y, "#f0e2c8")
        self.rect(x, base_y - h - 18, x + w, base_y - h, "#b4532f")
        for i in range(9):
            wx = x + 40 + i * 95
            self.rect(wx, base_y - h + 40, wx + 60, base_y - h + 120, "#5d8fb0")
            self.rect(wx, base_y - 110, wx + 60, base_y - 30, "#5d8fb0")
        self.rect(cx - 160, base_y - h + 130, cx + 160, base_y - h + 165, "#2e6f95")
        self.flag(x + w - 40, base_y - h - 140, 120)
        self.ground(base_y, "#c9b28f")
        for i, colour in enumerate(("#e74c3c", "#f1c40f", "#3498db", "#2ecc71")):
            self.ellipse(cx - 500 + i * 330, base_y + 120, 120, 30, fill=colour)

    def stage(self, base_y):
        self.rect(150, base_y - 40, self.width - 150, base_y + 30, "#2b2b2b")
        self.rect(150, base_y - 420, 175, base_y - 40, "#333")
        self.rect(self.width - 175, base_y - 420, self.width - 150, base_y - 40, "#333")
        self.rect(150, base_y - 440, self.width - 150, base_y - 415, "#333")
        for i, colour in enumerate(("#ff6f61", "#ffd166", "#7bdff2", "#b388eb", "#ffd166")):
            x = 300 + i * 250
            self.polygon(
                [
                    (x - 8, base_y - 410),
                    (x + 8, base_y - 410),
                    (x + 160 - i * 60, base_y - 40),
                    (x - 160 - i * 40, base_y - 40),
                ],
                mix(colour, "#1a1a2e", 0.55),
            )
            self.glow(x, base_y - 410, 40, colour, 200)
        for _i in range(40):
            x = self.rng.uniform(0, self.width)
            y = base_y + 80 + self.rng.uniform(0, 120)
            self.ellipse(x, y, 34, 40, fill="#141421")
            self.ellipse(x, y - 55, 18, 20, fill="#141421")

    def shelves(self):
        self.rect(0, 0, self.width, self.height, "#e9dcc6")
        palette = ("#8e3b2e", "#2e5e7e", "#c9933e", "#4d6b3c", "#6b4f7a", "#b04a2c", "#d8c08a")
        for row in range(4):
            y = 80 + row * 200
            self.rect(60, y + 170, self.width - 60, y + 186, "#7a5234")
            x = 70
            while x < self.width - 90:
                w = self.rng.uniform(22, 46)
                h = self.rng.uniform(110, 168)
                self.rect(x, y + 170 - h, x + w, y + 170, self.rng.choice(palette))
                self.rect(x + 4, y + 190 - h, x + w - 4, y + 196 - h, "#f2e6c9")
                x += w + self.rng.uniform(1, 4)

    def lavender(self, top_y):
        self.ground(top_y, "#7a6aa8")
        cx = self.width / 2
        for i in range(-14, 15):
            self.line([(cx + i * 18, top_y), (cx + i * 160, self.height)], "#a392d1", 14)
            self.line([(cx + i * 18 + 9, top_y), (cx + i * 160 + 80, self.height)], "#5a4f2a", 4)

    def boxes(self, base_y):
        for i in range(7):
            x = 180 + i * 190 + self.rng.uniform(-20, 20)
            h = self.rng.uniform(120, 200)
            self.rect(x, base_y - h, x + 170, base_y, "#c89b63")
            self.rect(x, base_y - h, x + 170, base_y - h + 14, "#b4854f")
            self.ellipse(x + 85, base_y - h / 2, 26, 22, fill="#d1253a")
            self.polygon(
                [
                    (x + 59, base_y - h / 2),
                    (x + 111, base_y - h / 2),
                    (x + 85, base_y - h / 2 + 40),
                ],
                "#d1253a",
            )

    def bins(self, base_y):
        for i, (body, lid) in enumerate(
            (("#f1c40f", "#d4ac0d"), ("#7f8c8d", "#5d6d6e"), ("#27ae60", "#1e8449"))
        ):
            x = 380 + i * 320
            self.polygon(
                [(x, base_y - 360), (x + 240, base_y - 360), (x + 220, base_y), (x + 20, base_y)],
                body,
            )
            self.rect(x - 12, base_y - 392, x + 252, base_y - 356, lid)
            self.ellipse(x + 40, base_y + 2, 26, 26, fill="#222")
            self.ellipse(x + 200, base_y + 2, 26, 26, fill="#222")
            self.polygon(
                [(x + 90, base_y - 230), (x + 150, base_y - 230), (x + 120, base_y - 180)],
                "#fdfefe",
            )

    def firebreak_house(self, cx, base_y):
        """A house in a clearing: the cleared ring around it, the forest kept at a distance."""
        self.ellipse(cx, base_y + 70, 520, 120, fill="#c9b27d")
        self.house(cx - 120, base_y + 30, 240, 120, wall="#efdcbc")
        for dx in (-300, 260):
            self.cypress(cx + dx, base_y + 60, 160)
        for _i in range(18):
            x = self.rng.choice((self.rng.uniform(0, cx - 560), self.rng.uniform(cx + 560, 1600)))
            self.umbrella_pine(x, base_y + self.rng.uniform(40, 160), self.rng.uniform(150, 220))

    # -- output ---------------------------------------------------------------------------
    def jpeg(self, quality: int = 80) -> bytes:
        final = self.image.reduce(SCALE)
        out = io.BytesIO()
        final.save(out, "JPEG", quality=quality)
        return out.getvalue()


# -- scenes --------------------------------------------------------------------------------


def _village(c: Canvas):
    c.sky("golden")
    c.sun(300, 250, 55)
    c.ridge(430, 160, FAR_HILLS, peak=(1100, 150))
    c.ridge(560, 90, MID_HILLS)
    c.headframe(380, 640, 360)
    c.village(700, 600, 1500, tower_at=1040)
    c.ridge(820, 60, NEAR_HILLS)
    c.pine_forest(800, 900, 9)


def _headframe(c: Canvas):
    c.sky("day")
    c.glow(1300, 140, 260, "#ffffff", 90)
    c.ridge(640, 70, FAR_HILLS)
    c.ground(700, "#b69c78")
    c.headframe(640, 760, 640)
    c.ground(760, "#9c8463")
    for x in (80, 1450):
        c.umbrella_pine(x, 780, 260)


def _museum(c: Canvas):
    c.sky("morning")
    c.ridge(560, 80, FAR_HILLS)
    c.ground(640, "#c2a882")
    c.headframe(420, 700, 520)
    for i in range(6):  # a train of mine carts on the carreau
        x = 200 + i * 110
        c.rect(x, 760, x + 90, 810, "#545a61")
        c.ellipse(x + 20, 815, 12, 12, fill="#222")
        c.ellipse(x + 70, 815, 12, 12, fill="#222")
    c.line([(120, 828), (1000, 828)], "#6d5c4a", 5)
    c.plane_trees(880, 3)


def _hills(c: Canvas):
    c.sky("haze")
    c.ridge(380, 190, FAR_HILLS, peak=(800, 190))
    c.ridge(520, 110, mix(MID_HILLS, FAR_HILLS, 0.4))
    c.ridge(650, 80, MID_HILLS)
    c.pine_forest(640, 900, 40)


def _firebreak(c: Canvas):
    c.sky("day")
    c.ridge(420, 130, FAR_HILLS)
    c.ridge(560, 70, MID_HILLS)
    c.ground(620, "#7d8b55")
    c.firebreak_house(800, 640)


def _town_hall(c: Canvas):
    c.sky("day")
    c.ground(760, "#d9c7a5")
    c.town_hall(800, 780, 980, 470)
    c.plane_trees(900, 2)


def _school(c: Canvas):
    c.sky("morning")
    c.ridge(420, 80, FAR_HILLS)
    c.school(800, 700)


def _market(c: Canvas):
    c.sky("morning")
    c.village(560, -40, 1640)
    c.ground(560, "#d8c7a4")
    c.awnings(880)


def _festival(c: Canvas):
    c.sky("night")
    c.stars(90)
    c.ridge(600, 90, "#1f2747")
    c.headframe(1250, 720, 420, colour="#11131c", building=False)
    c.ground(720, "#2a2435")
    c.bunting(120)
    c.lights(330)


def _concert(c: Canvas):
    c.sky("night")
    c.stage(620)


def _roadworks(c: Canvas):
    c.sky("day")
    c.ridge(450, 90, FAR_HILLS)
    c.ground(470, "#9aa46b")
    c.road(470)
    c.cones(860, (420, 620, 980, 1180))


def _trail(c: Canvas):
    c.sky("morning")
    c.sun(300, 220, 50)
    c.ridge(400, 170, FAR_HILLS, peak=(1150, 210))
    c.ridge(560, 80, MID_HILLS)
    c.ground(640, "#b8a071")
    c.polygon([(760, 640), (840, 640), (1200, 900), (500, 900)], "#e2cfa6")
    c.pine_forest(650, 900, 14)


def _petanque(c: Canvas):
    c.sky("golden")
    c.ground(560, "#d8bf8f")
    c.plane_trees(600, 5)
    for x, y in ((520, 720), (610, 760), (900, 700), (980, 790), (760, 820)):
        c.ellipse(x, y, 26, 26, fill="#8c8f94")
        c.ellipse(x - 8, y - 8, 8, 8, fill="#d6d9dd")
    c.ellipse(760, 690, 9, 9, fill="#e0a93b")


def _solidarity(c: Canvas):
    c.sky("haze")
    c.ground(760, "#b9a98c")
    c.boxes(780)


def _recycling(c: Canvas):
    c.sky("day")
    c.ground(760, "#cfc6b3")
    c.bins(800)


def _library(c: Canvas):
    c.shelves()


def _lavender(c: Canvas):
    c.sky("golden")
    c.ridge(470, 120, FAR_HILLS)
    c.lavender(560)
    c.cypress(1300, 600, 240)
    c.cypress(1360, 600, 200)


def _storm(c: Canvas):
    c.sky("storm")
    c.ridge(480, 120, "#5b6478")
    c.ridge(600, 80, "#4a5a45")
    c.line([(980, 60), (930, 230), (990, 230), (920, 430)], "#fff7cf", 6)
    c.village(760, 200, 1400, tower_at=760)
    c.ground(760, "#3f4a37")


def _council(c: Canvas):
    c.rect(0, 0, WIDTH, HEIGHT, "#efe4cf")
    c.rect(0, 620, WIDTH, HEIGHT, "#7a5234")
    c.rect(660, 120, 940, 320, "#f7f1e5")
    c.flag(560, 110, 240)
    c.flag(1040, 110, 240)
    for i in range(7):
        a = math.pi * (0.15 + 0.7 * i / 6)
        x, y = 800 - 620 * math.cos(a), 880 - 330 * math.sin(a)
        c.rect(x - 80, y - 20, x + 80, y + 20, "#5a3a28")
        c.ellipse(x, y - 60, 22, 24, fill="#3d4a5c")


SCENES: dict[str, Callable[[Canvas], None]] = {
    "village": _village,
    "headframe": _headframe,
    "museum": _museum,
    "hills": _hills,
    "firebreak": _firebreak,
    "town_hall": _town_hall,
    "school": _school,
    "market": _market,
    "festival": _festival,
    "concert": _concert,
    "roadworks": _roadworks,
    "trail": _trail,
    "petanque": _petanque,
    "solidarity": _solidarity,
    "recycling": _recycling,
    "library": _library,
    "lavender": _lavender,
    "storm": _storm,
    "council": _council,
}


def seed_for(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


def landscape(scene: str, key: str | None = None) -> bytes:
    """A 1600×900 JPEG of ``scene`` (see ``SCENES``); the same key draws the same picture."""
    canvas = Canvas(seed=seed_for(key or scene))
    SCENES[scene](canvas)
    return canvas.jpeg()


_FONT_FILES = {
    False: ("DejaVuSans.ttf", "LiberationSans-Regular.ttf"),
    True: ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"),
}


def _font(size: int, bold: bool = False):
    """A system font with accented letters, else Pillow's own (then accents are dropped)."""
    for name in _FONT_FILES[bold]:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    font = ImageFont.load_default(size=size)
    font.ascii_only = True
    return font


def _text(draw, xy, text, font, fill):
    if getattr(font, "ascii_only", False):
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    draw.text(xy, text, font=font, fill=fill)


def logo_png(name: str = "Gréasque") -> bytes:
    """The commune's emblem, a square PNG: the headframe over the hills, in a blue disc.

    The name is not drawn: the site header writes it next to the logo.
    """
    size = 256
    canvas = Canvas(size, size, seed=seed_for(f"logo-{name}"))
    canvas.rect(0, 0, size, size, "#0b5d8c")
    canvas.polygon(
        [(0, 190), (50, 140), (95, 170), (150, 118), (205, 160), (256, 132), (256, 256), (0, 256)],
        "#7fb0cf",
    )
    canvas.polygon(
        [(0, 215), (70, 190), (140, 205), (210, 186), (256, 196), (256, 256), (0, 256)],
        "#4f8fb8",
    )
    canvas.headframe(112, 214, 170, colour="#ffffff", building=False)
    image = canvas.image.reduce(SCALE).convert("RGBA")
    mask = Image.new("L", (size * 4, size * 4), 0)
    ImageDraw.Draw(mask).ellipse((8, 8, size * 4 - 8, size * 4 - 8), fill=255)
    image.putalpha(mask.resize((size, size), Image.Resampling.LANCZOS))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def cover_jpeg(
    title: str, number: str, headline: str, scene: str, contents: tuple[str, ...] = ()
) -> bytes:
    """A bulletin cover (848×1200): masthead, issue number, a scene, headline, contents."""
    w, h = 848, 1200
    page = Image.new("RGB", (w, h), rgb("#fbf7ef"))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, w, 210), fill=rgb("#0b5d8c"))
    _text(draw, (48, 40), title, _font(72, bold=True), (255, 255, 255))
    _text(draw, (52, 140), f"Bulletin municipal de Gréasque · {number}", _font(30), rgb("#d9e8f2"))
    art = Image.open(io.BytesIO(landscape(scene, key=f"cover-{number}")))
    art = art.resize((w - 96, round((w - 96) * 9 / 16)), Image.Resampling.LANCZOS)
    page.paste(art, (48, 250))
    y = 250 + art.height + 40
    draw.rectangle((48, y, 60, y + 110), fill=rgb("#a4461b"))
    words, line, lines = headline.split(), "", []
    font = _font(44, bold=True)
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) > w - 140:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    for i, text in enumerate(lines[:3]):
        _text(draw, (84, y + i * 58), text, font, rgb("#1f2a33"))
    y += 58 * min(3, len(lines)) + 40
    for i, item in enumerate(contents[:4]):
        _text(draw, (84, y + i * 44), f"›  {item}", _font(30), rgb("#3c4852"))
    _text(draw, (48, h - 70), "www.example.org", _font(26), rgb("#55606b"))
    out = io.BytesIO()
    page.save(out, "JPEG", quality=80, optimize=True, progressive=True)
    return out.getvalue()
