"""The public page in Tibetan (issue 15 item 9): a bundled font, the browser's language when
no choice was made, and the address with a trailing slash."""

import re
import shutil
import subprocess

import pytest
from django.contrib.staticfiles import finders

from ranan.cylinders.public import browser_language

TIBETAN = re.compile("[\u0f00-\u0fff]")


def test_the_page_declares_the_bundled_tibetan_font_for_tibetan_text(fleet, client):
    body = client.get(f"/c/{fleet.good.code}?lang=bo").content.decode()
    assert '<html lang="bo">' in body and TIBETAN.search(body)
    face = re.search(r"@font-face\{([^}]*)\}", body).group(1)
    assert "unicode-range:U+0F00-0FFF" in face
    for url in re.findall(r'url\("([^"]+)"\)', face):
        assert finders.find(url.removeprefix("/static/")), url
    assert 'body:lang(bo),:lang(bo){font-family:"Ranan Tibetan"' in body


def test_the_tibetan_link_is_marked_tibetan_on_the_chinese_page(fleet, client):
    body = client.get(f"/c/{fleet.good.code}").content.decode()
    assert re.search(r'<a [^>]*lang="bo"[^>]*data-testid="lang-bo">བོད་ཡིག</a>', body)


def test_the_font_files_and_their_licence_ship_in_static():
    for name in ("NotoSerifTibetan-Regular.woff2", "NotoSerifTibetan-Regular.ttf", "OFL.txt"):
        assert finders.find(f"ranan/fonts/{name}"), name
    licence = open(finders.find("ranan/fonts/OFL.txt"), encoding="utf-8").read()
    assert "SIL OPEN FONT LICENSE" in licence and "Google LLC" in licence


@pytest.mark.parametrize(("header", "expected"), [
    ("bo", "bo"), ("bo-CN,zh;q=0.8", "bo"), ("en-GB,en;q=0.9", "en"), ("zh-CN,zh;q=0.9", "zh-hans"),
    ("fr-FR,bo;q=0.5,en;q=0.4", "bo"), ("zh-TW", "zh-hans"), ("fr,de", None), ("", None),
    ("en;q=0.2,bo;q=0.9", "bo"), ("*", None), ("garbage;;q=x", None),
])
def test_the_browser_language_is_one_of_the_three(header, expected):
    assert browser_language(header) == expected


def test_without_a_choice_the_page_follows_the_browser(fleet, client):
    url = f"/c/{fleet.good.code}"
    tibetan = client.get(url, HTTP_ACCEPT_LANGUAGE="bo-CN,bo;q=0.9,zh;q=0.5")
    assert tibetan["Content-Language"] == "bo" and '<html lang="bo">' in tibetan.content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert english["Content-Language"] == "en"
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert french["Content-Language"] == "zh-hans"
    # One URL, three languages: shared caches keep a copy per language.
    assert "Accept-Language" in tibetan["Vary"] and "Cookie" in tibetan["Vary"]


def test_a_choice_wins_over_the_browser(fleet, client, settings):
    url = f"/c/{fleet.good.code}"
    assert client.get(url + "?lang=zh-hans", HTTP_ACCEPT_LANGUAGE="bo")["Content-Language"] == "zh-hans"
    assert client.get(url + "?lang=xx", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="bo")["Content-Language"] == "en"


def test_a_signed_in_accounts_language_is_a_choice(fleet, client):
    fleet.station_manager.language = "en"
    fleet.station_manager.save(update_fields=["language"])
    client.force_login(fleet.station_manager)
    answer = client.get(f"/c/{fleet.good.code}", HTTP_ACCEPT_LANGUAGE="bo")
    assert answer["Content-Language"] == "en"


def test_the_address_with_a_trailing_slash_answers_the_same(fleet, client):
    plain = client.get(f"/c/{fleet.good.code}?lang=bo")
    slash = client.get(f"/c/{fleet.good.code}/?lang=bo")
    upper = client.get(f"/C/{fleet.good.code}/")
    assert plain.status_code == slash.status_code == upper.status_code == 200
    assert slash.content == plain.content
    assert client.get("/c/NOTACODE12/").status_code == 404
    assert client.get(f"/c/{fleet.good.code}//").status_code == 404


def test_the_staff_pages_still_ignore_the_browser(fleet, client):
    client.force_login(fleet.station_manager)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "zh-hans"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils)")
def test_a_label_sheet_writes_a_station_named_in_tibetan(tmp_path):
    from ranan.cylinders import labels

    pdf = labels.label_sheet(["ABCDEFGHJK1"], grid="3x8", base_url="https://x.cn",
                             station="བདེ་ཆེན་ས་ཚིགས 德庆液化气站", phone="13800000001")
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "བདེ་ཆེན་ས་ཚིགས" in text and "德庆液化气站" in text
