"""The enrolment QR code, drawn here as SVG (qrcode's pure-Python SVG output, no image library
and no outside service: the secret never leaves the server)."""

import qrcode
import qrcode.image.svg
from django.utils.safestring import SafeString, mark_safe


def qr_svg(text: str) -> SafeString:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage)
    # The SVG is produced by qrcode from our own URL, never from user input as markup.
    return mark_safe(image.to_string(encoding="unicode"))
