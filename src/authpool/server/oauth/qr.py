"""The QR code of an ``otpauth://`` URI on the hosted login's TOTP set-up page, as inline SVG.

* Rendered on the server by segno (pure Python, ISO/IEC 18004 QR codes): the page's CSP
  (``default-src 'none'``, :mod:`.pages`) allows no scripts, and an inline ``<svg>`` element is
  markup, not a fetched image, so it needs no ``img-src`` and no CSP change.
* The SVG carries only geometry (one ``<path>``: presentation attributes, no ``style`` attribute,
  so ``style-src`` does not apply) and a constant title; the URI itself never appears in the
  markup, so there is nothing to escape. The page shows the key and the link as text as well
  (copy-paste, screen readers).
* Error correction level M at least (segno raises it when the symbol has room: ``boost_error``),
  a 4-module quiet zone (ISO/IEC 18004 §6.3.8) and dark modules on a white background, so the code
  scans in the page's dark colour scheme too.
"""

from __future__ import annotations

import segno
from markupsafe import Markup

TITLE = "QR code of the key for your authenticator app"
SCALE = 4  # px per module: a 320-character URI (version 10, 57 modules + quiet zone) is 260 px wide
BORDER = 4


def symbol(uri: str) -> segno.QRCode:
    """The QR symbol the page draws for ``uri`` (byte mode, UTF-8)."""
    return segno.make_qr(uri, error="m", boost_error=True, encoding="utf-8")


def svg(uri: str) -> Markup:
    """``uri`` as an inline ``<svg>`` element, safe to put in a template as it is; empty when ``uri``
    does not fit in the largest symbol (version 40-M holds 2,331 bytes: only a forged form's
    user name gets there), the key and the link as text then being the page's only form."""
    try:
        code = symbol(uri)
    except segno.DataOverflowError:
        return Markup("")
    markup = code.svg_inline(scale=SCALE, border=BORDER, dark="#000", light="#fff", title=TITLE,
                                    svgclass="qr", lineclass=None)
    return Markup(markup.replace("<svg ", '<svg role="img" ', 1))
