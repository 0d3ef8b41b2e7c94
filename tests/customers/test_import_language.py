"""The customer import page in English (issue 15 item 10): its options were translated once,
when the module was imported (in Chinese, the server's default), and stayed Chinese."""

import re
import subprocess
import sys

from django.test import Client

CJK = re.compile("[\u4e00-\u9fff]")

PROBE = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ranan.settings")
django.setup()
from django.utils import translation
translation.activate("zh-hans")  # what a server has active when it imports its modules
from ranan.customers.forms import ImportForm
with translation.override("en"):
    print("|".join(str(label) for _value, label in ImportForm().fields["on_duplicate"].choices))
"""


def test_the_options_are_translated_when_shown_not_when_imported():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out.count("|") == 2 and not CJK.search(out), out


def test_the_import_page_in_english_has_no_chinese_option(cast, settings):
    client = Client()
    client.force_login(cast.gas_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/customers/import/").content.decode()
    select = re.search(r'<select name="on_duplicate".*?</select>', body, re.S).group(0)
    assert re.findall(r'value="(\w+)"', select) == ["skip", "update", "stop"]
    assert not CJK.search(select)
    form = re.search(r'<form method="post" enctype="multipart/form-data".*?</form>', body, re.S)
    assert not CJK.search(form.group(0))


def test_a_wrong_choice_is_refused_naming_the_field(cast, settings):
    client = Client()
    client.force_login(cast.gas_admin)
    answer = client.post("/customers/import/", {"on_duplicate": "merge"})
    assert answer.status_code == 200
    assert "on_duplicate" in answer.context["form"].errors and "file" in answer.context["form"].errors


def test_a_role_without_import_cannot_open_it(cast):
    client = Client()
    client.force_login(cast.courier_a1)
    assert client.get("/customers/import/").status_code in (403, 404)
