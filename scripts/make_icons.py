"""Draw the app icons (favicon.svg's tick on the brand blue) as PNG for the web-app manifest."""
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def icon(size: int, maskable: bool = False) -> Image.Image:
    image = Image.new("RGB", (size, size), "#084785")
    draw = ImageDraw.Draw(image)
    scale = size / 64 * (0.7 if maskable else 1)  # maskable icons keep the drawing in the safe circle
    offset = (size - 64 * scale) / 2
    points = [(offset + x * scale, offset + y * scale) for x, y in ((18, 33), (27, 42), (46, 22))]
    draw.line(points, fill="white", width=max(2, round(7 * scale)), joint="curve")
    return image


if __name__ == "__main__":
    for size in (192, 512):
        icon(size).save(OUT / f"icon-{size}.png", optimize=True)
    icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    print(sorted(p.name for p in OUT.iterdir()))
