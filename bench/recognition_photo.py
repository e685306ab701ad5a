"""Turn a clean invoice page into a photo-like JPEG: on a desk, tilted, lit unevenly, blurred.

Two styles: a phone photo (rotation up to ±8°, perspective, a background around the
page, a shadow half the time, uneven light, blur up to 1.3 px) and a flatbed scan
(rotation up to ±2°, light background, little blur). Both are 1,000 to 3,000 px wide,
with sensor noise and JPEG quality 50 to 90. Every parameter comes from the caller's
seeded random generator and is returned, so the set is reproducible and explained.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Box = tuple[float, float, float, float]
DESKS = ((122, 92, 62), (72, 72, 78), (196, 196, 190), (150, 122, 92), (34, 38, 44), (90, 110, 96))


@dataclass(frozen=True)
class Photo:
    """The JPEG bytes, their size and how they were distorted."""

    data: bytes
    width: int
    height: int
    distortion: dict[str, Any]


def occlude(page: Image.Image, box: Box, rng: random.Random) -> str:
    """Cover most of the QR code (box in pixels) with a sticky note or a thumb; which one."""
    draw = ImageDraw.Draw(page)
    x1, y1, x2, y2 = box
    side = x2 - x1
    if rng.random() < 0.5:
        dx, dy = rng.uniform(-0.2, 0.2) * side, rng.uniform(-0.2, 0.2) * side
        draw.rectangle((x1 + dx, y1 + dy, x2 + dx + 0.1 * side, y2 + dy), fill=(250, 232, 120))
        return "sticky note"
    cx, cy = (x1 + x2) / 2 + rng.uniform(-0.1, 0.1) * side, (y1 + y2) / 2
    draw.ellipse(
        (cx - 0.6 * side, cy - 0.75 * side, cx + 0.6 * side, cy + 0.9 * side), fill=(214, 170, 140)
    )
    return "thumb"


def photograph(page: Image.Image, rng: random.Random) -> Photo:
    """Photograph (or scan) the page; see the module's docstring for the ranges."""
    scan = rng.random() < 0.2
    width = rng.randint(1000, 3000)
    height = round(width * (0.7 if scan else 0.75))
    fraction = rng.uniform(0.92, 0.97) if scan else rng.uniform(0.72, 0.92)
    rotation = rng.uniform(-2, 2) if scan else rng.uniform(-8, 8)
    tilt = (0.0, 0.0) if scan else (rng.uniform(-0.06, 0.06), rng.uniform(-0.05, 0.05))
    small_width = round(width * fraction)
    small = page.resize(
        (small_width, round(small_width * page.height / page.width)), Image.Resampling.LANCZOS
    )
    corners = _place(small.size, (width, height), rotation, tilt, rng)
    coefficients = _perspective(corners, small.size)
    size = (width, height)
    warped = small.transform(
        size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC
    )
    mask = Image.new("L", small.size, 255).transform(
        size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR
    )
    numbers = np.random.default_rng(rng.getrandbits(64))
    frame = Image.composite(warped, _background(size, scan, rng, numbers), mask)

    light = _lighting(size, scan, rng)
    shadow = 0.0 if scan or rng.random() < 0.5 else rng.uniform(0.25, 0.5)
    if shadow:
        light *= 1 - shadow * _shadow_mask(size, rng)
    cast = np.array([1 + rng.uniform(-0.06, 0.06) for _ in range(3)], dtype=np.float32)
    pixels = np.asarray(frame, dtype=np.float32) * light[..., None] * cast
    blur = rng.uniform(0, 0.6) if scan else rng.uniform(0, 1.3)
    lit = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(blur)
    )
    noise = rng.uniform(1.0, 2.5) if scan else rng.uniform(1.5, 5.0)
    grain = numbers.standard_normal((height, width, 1), dtype=np.float32) * np.float32(noise)
    noisy = np.asarray(lit, dtype=np.float32) + grain
    quality = rng.randint(50, 90)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=quality)
    distortion = {
        "style": "scan" if scan else "photo",
        "width": width,
        "height": height,
        "page_fraction": round(fraction, 3),
        "rotation_deg": round(rotation, 2),
        "perspective": [round(t, 3) for t in tilt],
        "blur_px": round(blur, 2),
        "shadow": round(shadow, 2),
        "darkest_light": round(float(light.min()), 2),  # falloff, vignette and shadow
        "noise_sigma": round(noise, 2),
        "jpeg_quality": quality,
    }
    return Photo(buffer.getvalue(), width, height, distortion)


def _place(
    page: tuple[int, int],
    frame: tuple[int, int],
    rotation: float,
    tilt: tuple[float, float],
    rng: random.Random,
) -> list[tuple[float, float]]:
    """Where the page's corners land in the frame: keystoned, rotated, inside the frame."""
    pw, ph = page
    width, height = frame
    tx, ty = tilt
    base = [(-pw / 2, -ph / 2), (pw / 2, -ph / 2), (pw / 2, ph / 2), (-pw / 2, ph / 2)]
    keystoned = [
        (x * (1 - tx if y < 0 else 1 + tx), y * (1 - ty if x < 0 else 1 + ty)) for x, y in base
    ]
    keystoned = [
        (x + rng.uniform(-0.01, 0.01) * pw, y + rng.uniform(-0.01, 0.01) * pw) for x, y in keystoned
    ]
    angle = math.radians(rotation)
    cos, sin = math.cos(angle), math.sin(angle)
    turned = [(x * cos - y * sin, x * sin + y * cos) for x, y in keystoned]
    scale = 1.0
    while True:
        span_x = max(abs(x) for x, _ in turned) * scale
        span_y = max(abs(y) for _, y in turned) * scale
        if span_x <= 0.49 * width and span_y <= 0.49 * height:
            break
        scale *= 0.97
    cx = width / 2 + rng.uniform(-1, 1) * (0.49 * width - span_x)
    cy = height / 2 + rng.uniform(-1, 1) * (0.49 * height - span_y)
    return [(cx + x * scale, cy + y * scale) for x, y in turned]


def _perspective(corners: list[tuple[float, float]], size: tuple[int, int]) -> tuple[float, ...]:
    """PIL's coefficients mapping frame pixels back to the page's (corners: TL, TR, BR, BL)."""
    width, height = size
    source = [(0, 0), (width, 0), (width, height), (0, height)]
    rows, targets = [], []
    for (x, y), (u, v) in zip(corners, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        targets += [u, v]
    solved = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(targets, dtype=np.float64))
    return tuple(float(value) for value in solved)


def _background(
    size: tuple[int, int], scan: bool, rng: random.Random, numbers: np.random.Generator
) -> Image.Image:
    """A desk with a blotchy texture, or a scanner's lid."""
    colour = np.array([rng.randint(236, 250)] * 3 if scan else rng.choice(DESKS), dtype=np.float32)
    coarse = numbers.normal(0, 4 if scan else 18, (6, 8, 1)).astype(np.float32) + colour
    small = Image.fromarray(np.clip(coarse, 0, 255).astype(np.uint8))
    return small.resize(size, Image.Resampling.BICUBIC)


def _lighting(
    size: tuple[int, int], scan: bool, rng: random.Random
) -> np.ndarray[Any, np.dtype[np.float32]]:
    """A multiplier over the frame: light falling off one way, and a vignette.

    Computed on a grid 8 times coarser and enlarged: the light varies smoothly.
    """
    width, height = size
    coarse = (max(2, width // 8), max(2, height // 8))
    ys, xs = np.mgrid[0 : coarse[1], 0 : coarse[0]].astype(np.float32)
    xs /= coarse[0]
    ys /= coarse[1]
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (xs - 0.5) * math.cos(angle) + (ys - 0.5) * math.sin(angle) + 0.5
    falloff = rng.uniform(0, 0.06) if scan else rng.uniform(0.05, 0.35)
    vignette = 0.0 if scan else rng.uniform(0, 0.25)
    radius = ((xs - 0.5) ** 2 + (ys - 0.5) ** 2) * 2
    light = ((1 - falloff * np.clip(ramp, 0, 1)) * (1 - vignette * radius)).astype(np.float32)
    enlarged = Image.fromarray(light, mode="F").resize(size, Image.Resampling.BILINEAR)
    return np.asarray(enlarged, dtype=np.float32).copy()


def _shadow_mask(
    size: tuple[int, int], rng: random.Random
) -> np.ndarray[Any, np.dtype[np.float32]]:
    """A soft-edged shadow (of a hand or a phone) reaching in from one side, 0..1."""
    width, height = size
    small = (max(1, width // 8), max(1, height // 8))
    mask = Image.new("L", small, 0)
    draw = ImageDraw.Draw(mask)
    side = rng.choice(("left", "right", "top", "bottom"))
    w, h = small
    reach = rng.uniform(0.25, 0.55)
    along = rng.uniform(0.2, 0.8)
    half = rng.uniform(0.2, 0.45)
    if side in ("left", "right"):
        x = 0 if side == "left" else w
        box = (x - reach * w, (along - half) * h, x + reach * w, (along + half) * h)
    else:
        y = 0 if side == "top" else h
        box = ((along - half) * w, y - reach * h, (along + half) * w, y + reach * h)
    draw.ellipse(box, fill=255)
    soft = mask.filter(ImageFilter.GaussianBlur(max(2.0, 0.04 * w))).resize(
        size, Image.Resampling.BILINEAR
    )
    return np.asarray(soft, dtype=np.float32) / 255.0
