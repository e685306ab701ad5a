"""An uploaded picture comes out upright (its EXIF orientation applied) and RGB."""

import io

import pytest
from PIL import Image

from invoicing_core.recognition.image import MAX_SIDE, open_image


def _encoded(image: Image.Image, format_: str, orientation: int | None = None) -> bytes:
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation  # the EXIF Orientation tag
    image.save(buffer, format_, exif=exif)
    return buffer.getvalue()


def _red(picture: Image.Image, x: int, y: int) -> int:
    pixel = picture.getpixel((x, y))
    assert isinstance(pixel, tuple)
    return pixel[0]


def _marked(mode: str) -> Image.Image:
    """A 60 × 40 picture, white with a black top-left corner, so a turn shows."""
    image = Image.new("RGB", (60, 40), "white")
    image.paste((0, 0, 0), (0, 0, 10, 10))
    return image.convert(mode)


def test_a_photo_taken_on_its_side_is_turned_upright_by_its_exif() -> None:
    # Orientation 6: the camera was turned a quarter clockwise, so the viewer turns it back.
    picture = open_image(_encoded(_marked("RGB"), "JPEG", orientation=6))
    assert picture.size == (40, 60)
    assert picture.mode == "RGB"
    assert _red(picture, 35, 5) < 64  # the black corner is now top right
    assert _red(picture, 5, 5) > 192
    assert picture.getexif().get(0x0112) is None  # not applied twice downstream


def test_a_photo_without_exif_orientation_is_kept_as_it_is() -> None:
    picture = open_image(_encoded(_marked("RGB"), "JPEG"))
    assert picture.size == (60, 40)
    assert _red(picture, 5, 5) < 64


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "1"])
def test_a_picture_of_any_mode_comes_out_rgb(mode: str) -> None:
    picture = open_image(_encoded(_marked(mode), "PNG"))
    assert picture.mode == "RGB"
    assert picture.getpixel((5, 5)) == (0, 0, 0)
    assert picture.getpixel((50, 30)) == (255, 255, 255)


def test_a_large_photo_is_shrunk_to_the_longest_side_allowed() -> None:
    picture = open_image(_encoded(Image.new("RGB", (3000, 1500), "white"), "JPEG"))
    assert picture.size == (MAX_SIDE, MAX_SIDE // 2)
    assert picture.mode == "RGB"
