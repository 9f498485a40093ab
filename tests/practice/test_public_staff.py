"""Editing the public page: leads edit the practice part and publish it; each practitioner
edits their own profile, with a photo that is checked, stripped of metadata and served only
when published."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from alliance.practice.accounts.models import Membership
from alliance.practice.public.models import PracticePage, PractitionerProfile, Service
from tests.practice.conftest import login, make_user


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def lead(org):
    return make_user("lead", org, role=Membership.Role.LEAD)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (31, 95, 168))
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS info: latitude
        image.save(out, format=fmt, exif=data)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def profile_data(**overrides):
    data = {
        "display_name": "Robin Owner",
        "bio": "I work with adults.",
        "qualifications": "MSc",
        "approach": "Person-centred",
        "is_published": "on",
    }
    data.update(overrides)
    return data


def page_data(**overrides):
    data = {
        "page-introduction": "A small practice by the river.",
        "page-notify_email": "intake@riverside.example",
        "services-TOTAL_FORMS": "1",
        "services-INITIAL_FORMS": "0",
        "services-0-name": "Career coaching",
        "services-0-kind": "coaching",
        "services-0-modality": "online",
        "services-0-duration": "45 minutes",
        "services-0-price": "£60",
        "services-0-position": "0",
    }
    data.update(overrides)
    return data


def test_a_lead_writes_the_practice_part_and_adds_a_service(client, lead):
    login(client, lead)
    url = reverse("public:edit_page", args=["riverside"])
    assert client.get(url).status_code == 200
    assert client.post(url, page_data()).status_code == 302
    page = PracticePage.objects.get()
    assert page.introduction == "A small practice by the river." and not page.is_published
    service = Service.objects.get()
    assert (service.name, service.kind, service.modality) == (
        "Career coaching",
        "coaching",
        "online",
    )


def test_a_service_can_be_deleted(client, lead):
    login(client, lead)
    url = reverse("public:edit_page", args=["riverside"])
    client.post(url, page_data())
    service = Service.objects.get()
    client.post(
        url,
        page_data(
            **{
                "services-TOTAL_FORMS": "1",
                "services-INITIAL_FORMS": "1",
                "services-0-id": str(service.pk),
                "services-0-DELETE": "on",
            }
        ),
    )
    assert not Service.objects.exists()


def test_an_invalid_service_answers_400_naming_the_field(client, lead):
    login(client, lead)
    url = reverse("public:edit_page", args=["riverside"])
    response = client.post(url, page_data(**{"services-0-modality": "carrier pigeon"}))
    assert response.status_code == 400
    assert "carrier pigeon is not one of the available choices" in response.content.decode()
    assert not Service.objects.exists()


def test_a_lead_publishes_and_unpublishes_the_page(client, lead):
    login(client, lead)
    publish = reverse("public:publish", args=["riverside"])
    assert client.get("/p/riverside/").status_code == 404
    client.post(publish, {"publish": "1"})
    assert client.get("/p/riverside/").status_code == 200
    client.post(publish, {"publish": "0"})
    assert client.get("/p/riverside/").status_code == 404
    assert client.post(publish, {"publish": "yes"}).status_code == 400


def test_a_practitioner_cannot_edit_or_publish_the_practice_part(client, owner):
    login(client, owner)
    assert client.get(reverse("public:edit_page", args=["riverside"])).status_code == 404
    response = client.post(reverse("public:publish", args=["riverside"]), {"publish": "1"})
    assert response.status_code == 404
    assert not PracticePage.objects.filter(is_published=True).exists()


def test_a_practitioner_edits_only_their_own_profile(client, owner, colleague):
    login(client, owner)
    url = reverse("public:edit_profile", args=["riverside"])
    assert client.post(url, profile_data()).status_code == 302
    client.logout()
    login(client, colleague)
    page = client.get(url).content.decode()
    assert "Robin Owner" not in page  # the colleague gets their own, empty profile
    client.post(url, profile_data(display_name="Colleague Cole"))
    profiles = dict(PractitionerProfile.objects.values_list("user__username", "display_name"))
    assert profiles == {"owner": "Robin Owner", "colleague": "Colleague Cole"}


def test_a_profile_appears_on_the_page_only_when_published(client, owner, lead):
    login(client, lead)
    client.post(reverse("public:publish", args=["riverside"]), {"publish": "1"})
    login(client, owner)
    url = reverse("public:edit_profile", args=["riverside"])
    client.post(url, profile_data(is_published=""))
    assert "Robin Owner" not in client.get("/p/riverside/").content.decode()
    client.post(url, profile_data())
    assert "Robin Owner" in client.get("/p/riverside/").content.decode()


def upload(client, name: str, content: bytes, **overrides):
    url = reverse("public:edit_profile", args=["riverside"])
    photo = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(url, {**profile_data(**overrides), "photo": photo})


def test_a_photo_is_reencoded_without_metadata_and_served_when_published(client, owner, lead):
    login(client, lead)
    client.post(reverse("public:publish", args=["riverside"]), {"publish": "1"})
    login(client, owner)
    original = image_bytes("JPEG", size=(1600, 1200), exif=True)
    assert b"SecretCam" in original
    assert upload(client, "robin-at-the-beach.jpg", original).status_code == 302
    profile = PractitionerProfile.objects.get()
    assert profile.photo.name.endswith(".jpg") and "beach" not in profile.photo.name
    served = client.get(reverse("public:photo", args=["riverside", profile.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    body = b"".join(served.streaming_content)
    assert b"SecretCam" not in body
    with Image.open(io.BytesIO(body)) as stored:
        assert stored.size == (800, 600) and not stored.getexif()
    assert f"/p/riverside/photos/{profile.pk}/" in client.get("/p/riverside/").content.decode()
    client.post(reverse("public:edit_profile", args=["riverside"]), profile_data(is_published=""))
    assert client.get(reverse("public:photo", args=["riverside", profile.pk])).status_code == 404


def noisy_png(side: int) -> bytes:
    """Random pixels barely compress: a PNG of about 3 * side * side bytes."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(3 * side * side)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("notes.png", b"just some text, not an image", "Upload a valid image"),
        ("half.png", image_bytes("PNG")[:40], "Upload a valid image"),  # magic bytes only
        ("anim.gif", image_bytes("GIF"), "must be a JPEG, PNG or WebP image, not GIF"),
        ("big.png", noisy_png(1100), "at most 3072 KB is allowed"),
    ],
)
def test_a_file_that_is_not_an_allowed_image_answers_400_naming_the_photo(
    client, owner, name, content, says
):
    login(client, owner)
    response = upload(client, name, content)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please check: photo" in html and says in html
    assert not PractitionerProfile.objects.filter(photo__gt="").exists()


def test_replacing_or_removing_a_photo_deletes_the_old_file(client, owner, media):
    login(client, owner)
    upload(client, "a.png", image_bytes("PNG"))
    first = PractitionerProfile.objects.get().photo.name
    upload(client, "b.webp", image_bytes("WEBP"))
    second = PractitionerProfile.objects.get().photo.name
    assert second.endswith(".webp")
    assert not (media / first).exists() and (media / second).exists()
    url = reverse("public:edit_profile", args=["riverside"])
    client.post(url, profile_data(remove_photo="on"))
    assert not PractitionerProfile.objects.get().photo
    assert not (media / second).exists()
