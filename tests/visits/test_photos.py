import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext
from PIL import Image

from tests.visits.factories import jpeg_bytes, make_visit
from visits import photos, services
from visits.models import Photo

DAY = date(2026, 11, 20)


def upload(data: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def add(personas, visit, data, **kwargs):
    return services.photo_add(actor=personas.rep, visit=visit, client_id=uuid.uuid4(),
                              upload=upload(data), **kwargs)


@pytest.fixture
def visit(personas, shops):
    return make_visit(personas.rep, shops.a, DAY)


def test_a_text_file_named_like_a_photo_is_refused(personas, visit):
    with pytest.raises(ValidationError) as error:
        add(personas, visit, b"<html>not a photo</html>" * 20)
    assert "image" in error.value.message_dict and not Photo.objects.exists()


def test_a_pdf_is_refused_by_its_content(personas, visit):
    with pytest.raises(ValidationError) as error:
        add(personas, visit, b"%PDF-1.7\n" + b"0" * 500)
    assert "image" in error.value.message_dict


def test_a_truncated_jpeg_is_refused_as_damaged(personas, visit):
    with pytest.raises(ValidationError) as error:
        add(personas, visit, jpeg_bytes(size=(400, 300))[:300])
    assert "image" in error.value.message_dict and not Photo.objects.exists()


def test_a_photo_over_the_size_cap_is_refused_before_it_is_read(personas, visit, monkeypatch):
    monkeypatch.setattr(photos, "MAX_BYTES", 1000)
    with pytest.raises(ValidationError) as error:
        add(personas, visit, jpeg_bytes(size=(300, 300), color=(1, 2, 3)) + b"\0" * 1000)
    assert error.value.message_dict["image"] == [
        gettext("The photo is too large: at most %(mb)s MB.") % {"mb": 0}]


def test_a_photo_with_too_many_pixels_is_refused(personas, visit, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 1000)
    with pytest.raises(ValidationError):
        add(personas, visit, jpeg_bytes(size=(100, 100)))


def test_exif_is_stripped_after_its_capture_time_is_kept(personas, visit, media):
    data = jpeg_bytes(size=(3000, 1500), exif_time="2026:11:20 09:41:07", gps=True)
    assert Image.open(io.BytesIO(data)).getexif()  # the upload carries EXIF and GPS
    photo, created = add(personas, visit, data)
    assert created and photo.taken_at_source == "exif"
    assert photo.taken_at == datetime(2026, 11, 20, 1, 41, 7, tzinfo=UTC)
    stored = Image.open(photo.image.path)
    assert stored.format == "JPEG" and len(stored.getexif()) == 0
    assert "exif" not in stored.info
    assert max(stored.size) == 2048 and (photo.width, photo.height) == stored.size
    thumb = Image.open(photo.thumbnail.path)
    assert max(thumb.size) == 320 and len(thumb.getexif()) == 0


def test_without_exif_the_phones_capture_time_is_used(personas, visit):
    taken = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    photo, _created = add(personas, visit, jpeg_bytes(), device_taken_at=taken)
    assert (photo.taken_at, photo.taken_at_source) == (taken, "device")


def test_a_png_with_transparency_is_stored_as_jpeg(personas, visit):
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(buffer, format="PNG")
    photo, _created = add(personas, visit, buffer.getvalue())
    assert photo.original_type == "image/png"
    assert Image.open(photo.image.path).mode == "RGB"


def test_the_hash_is_of_the_uploaded_bytes(personas, visit):
    import hashlib

    data = jpeg_bytes(color=(9, 9, 9))
    photo, _created = add(personas, visit, data)
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.original_size == len(data)


def test_the_same_photo_on_another_visit_is_flagged_as_reused(personas, shops, visit):
    data = jpeg_bytes(color=(10, 200, 10))
    first, _created = add(personas, visit, data)
    other = make_visit(personas.rep, shops.b, DAY + timedelta(days=7))
    second, _created = add(personas, other, data)
    assert first.reused_from is None and second.reused_from == first


def test_the_same_photo_twice_on_one_visit_is_refused(personas, visit):
    data = jpeg_bytes(color=(50, 50, 200))
    add(personas, visit, data)
    with pytest.raises(ValidationError) as error:
        add(personas, visit, data)
    assert "image" in error.value.message_dict and Photo.objects.count() == 1


def test_the_same_client_id_returns_the_first_photo(personas, visit):
    client_id = uuid.uuid4()
    first, created = services.photo_add(actor=personas.rep, visit=visit, client_id=client_id,
                                        upload=upload(jpeg_bytes()))
    again, created_again = services.photo_add(actor=personas.rep, visit=visit,
                                              client_id=client_id,
                                              upload=upload(jpeg_bytes()))
    assert (created, created_again, again.pk) == (True, False, first.pk)


def test_only_the_visits_rep_adds_photos(personas, visit):
    with pytest.raises(ValidationError) as error:
        services.photo_add(actor=personas.manager, visit=visit, client_id=uuid.uuid4(),
                           upload=upload(jpeg_bytes()))
    assert "visit" in error.value.message_dict
