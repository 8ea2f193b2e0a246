"""The check-in QR code, drawn as inline SVG by `qrcode` (already pinned: django-allauth's
second-factor setup uses it), so the code page needs no image file, no Pillow and no script."""

from __future__ import annotations

import qrcode
import qrcode.image.svg


def qr_svg(url: str, label: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg: str = image.to_string(encoding="unicode")
    # Sized by the page's CSS (it fills the screen), and named for screen readers.
    return (
        svg.replace("<svg ", f'<svg class="checkin-qr" role="img" aria-label="{label}" ', 1)
        .replace('width="', 'data-mm-width="', 1)
        .replace('height="', 'data-mm-height="', 1)
    )
