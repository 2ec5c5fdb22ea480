"""Draw the app icons into webapp/static/icons/ (run again after changing the design):

    .venv/bin/python scripts/make_icons.py

"any" icons are a green rounded square with 缴 in white; the maskable one is full-bleed green
with the character inside the central safe zone (a circle of 80% of the width), so launchers may
crop it to any shape. Palette PNGs keep each file a few KB: icons count towards the first load.
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

GREEN = (7, 193, 96, 255)
WHITE = (255, 255, 255, 255)
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"  # Debian fonts-noto-cjk
FONT_INDEX = 2  # the .ttc's Simplified Chinese face (SC)
OUT = Path(__file__).resolve().parent.parent / "webapp" / "static" / "icons"


def draw(size: int, maskable: bool) -> Image.Image:
    scale = 4  # draw large, shrink: smooth edges
    big = size * scale
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if maskable:
        d.rectangle([0, 0, big, big], fill=GREEN)
        glyph = int(big * 0.46)
    else:
        d.rounded_rectangle([0, 0, big - 1, big - 1], radius=int(big * 0.22), fill=GREEN)
        glyph = int(big * 0.62)
    font = ImageFont.truetype(FONT, glyph, index=FONT_INDEX)
    d.text((big / 2, big / 2), "缴", font=font, fill=WHITE, anchor="mm")
    img = img.resize((size, size), Image.LANCZOS)
    return img.quantize(colors=16, method=Image.Quantize.FASTOCTREE)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("icon-maskable-512.png", 512, True)]:
        path = OUT / name
        draw(size, maskable).save(path, optimize=True)
        print(f"{path.relative_to(OUT.parent.parent.parent)}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
