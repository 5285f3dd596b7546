"""oauth/qr.py: the TOTP set-up page's QR code as inline SVG, decoded for real by zxing-cpp from a
rendering of segno's module matrix (the browser's own rendering is decoded in tests/e2e)."""

from __future__ import annotations

import re

import pytest
import segno

from authpool.server.oauth import qr
from authpool.server.pool import totp

zxingcpp = pytest.importorskip("zxingcpp", reason="pip install zxing-cpp (the [dev] extra)")


def _decode(code: segno.QRCode, scale: int = 4) -> str:
    """The text zxing-cpp reads from ``code`` drawn as a grey-scale bitmap (quiet zone included)."""
    rows = [bytes(0 if dark else 255 for dark in row for _ in range(scale))
            for row in code.matrix_iter(scale=1, border=4) for _ in range(scale)]
    image = memoryview(b"".join(rows)).cast("B", (len(rows), len(rows[0])))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    return found[0].text


@pytest.mark.parametrize("account", ["alice", "nína@example.com", "a b&c<d>\"e'"])
def test_symbol_decodes_to_the_uri(account):
    uri = totp.provisioning_uri(b"\x01" * totp.SECRET_BYTES, account=account, issuer="Acme & Co")
    assert _decode(qr.symbol(uri)) == uri
    assert qr.symbol(uri).error in ("M", "Q", "H")


def test_svg_is_inline_markup_without_the_uri_or_styles():
    uri = totp.provisioning_uri(b"\x02" * totp.SECRET_BYTES, account="bob", issuer="authpool")
    markup = str(qr.svg(uri))
    assert markup.startswith('<svg role="img" ') and markup.rstrip().endswith("</svg>")
    assert "<title>" in markup and "<?xml" not in markup and "xmlns" not in markup
    assert "style=" not in markup and "<script" not in markup.lower() and "href" not in markup
    assert totp.to_base32(b"\x02" * totp.SECRET_BYTES) not in markup and "otpauth" not in markup
    # the same drawing as segno's own of the same URI
    assert re.findall(r' d="([^"]+)"', markup) == re.findall(r' d="([^"]+)"', qr.symbol(uri).svg_inline(
        scale=qr.SCALE, border=qr.BORDER, dark="#000", light="#fff"))


def test_a_uri_too_long_for_any_symbol_draws_nothing():
    assert str(qr.svg("otpauth://totp/x:" + "y" * 3000 + "?secret=AAAA")) == ""
