"""Translations: both Chinese catalogues are complete and safe, and pages speak the visitor's language."""

import re
from pathlib import Path

import polib
import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = {
    "zh_Hans": ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po",
    "zh_Hant": ROOT / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po",
}
# printf-style placeholders as Python's % operator reads them: %(name)s, %d, %.2f, and the escape %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def live_entries(po):
    return [entry for entry in po if not entry.obsolete]


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    """Pages need the .mo files: compile any that are stale (as `make messages` does) and make
    Django re-read them, in case this process loaded translations before they were compiled."""
    from django.utils.translation.reloader import translation_file_changed

    from jusha.core import compilemessages

    compilemessages.main()
    translation_file_changed(sender=None, file_path=Path("django.mo"))


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_catalogue_is_complete_without_fuzzy_entries(language):
    po = polib.pofile(str(CATALOGUES[language]))
    entries = live_entries(po)
    assert entries, f"{language}: the catalogue is empty"
    untranslated = [entry.msgid for entry in entries if not entry.translated() and "fuzzy" not in entry.flags]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert not untranslated, f"{language}: untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{language}: fuzzy: {fuzzy[:10]}"
    assert not po.metadata_is_fuzzy, f"{language}: the header is marked fuzzy"
    assert po.percent_translated() == 100


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_catalogue_header_declares_chinese_plural_rule_and_utf8(language):
    po = polib.pofile(str(CATALOGUES[language]))
    assert po.metadata["Language"] == language
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_translations_keep_every_placeholder(language):
    po = polib.pofile(str(CATALOGUES[language]))
    problems = []
    for entry in live_entries(po):
        if entry.msgid_plural:
            expected = placeholders(entry.msgid_plural)
            if set(entry.msgstr_plural) != {0}:
                problems.append((entry.msgid, "Chinese has one plural form: only msgstr[0]"))
            for form in entry.msgstr_plural.values():
                # An English singular may say "one" where the plural has %(count)d: compare with the plural.
                if placeholders(form) != expected:
                    problems.append((entry.msgid_plural, form))
        elif placeholders(entry.msgid) != placeholders(entry.msgstr):
            problems.append((entry.msgid, entry.msgstr))
    assert not problems, f"{language}: {problems[:10]}"


def page(path: str, accept_language: str) -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE=accept_language).get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_site_speaks_simplified_chinese_by_default(settings):
    """The suite reads English (config/test_settings.py); the site itself defaults to zh-hans."""
    from config import settings as site_settings

    assert site_settings.LANGUAGE_CODE == "zh-hans"
    settings.LANGUAGE_CODE = site_settings.LANGUAGE_CODE
    html = Client().get("/").content.decode()  # no Accept-Language header
    assert '<html lang="zh-hans">' in html
    assert "浏览项目" in html and "Browse projects" not in html


@pytest.mark.django_db
def test_home_page_in_simplified_chinese():
    html = page("/", "zh-CN")
    assert '<html lang="zh-hans">' in html
    for text in ("聚沙成塔", "浏览项目", "精选项目", ">项目<", ">登录<", ">注册<", "公开账本", "跳到正文"):
        assert text in html, text
    for english in ("Browse projects", "Featured projects", "Skip to content", "Log in", "Sign up"):
        assert english not in html, english


@pytest.mark.django_db
def test_login_page_in_simplified_chinese():
    html = page("/accounts/login/", "zh-CN")
    assert '<html lang="zh-hans">' in html
    for text in ("忘记密码？", "初次使用聚沙？", "注册账户", "邮箱地址", "密码", ">登录</button>"):
        assert text in html, text
    for english in ("Forgotten your password?", "New to Jusha?", "Email address", "Log in"):
        assert english not in html, english


@pytest.mark.django_db
def test_pages_in_traditional_chinese():
    home, login = page("/", "zh-TW"), page("/accounts/login/", "zh-TW")
    assert '<html lang="zh-hant">' in home
    assert "瀏覽項目" in home and "公開帳本" in home
    assert "忘記密碼？" in login and "電子郵件地址" in login and ">登入</button>" in login


@pytest.mark.django_db
def test_pages_in_english():
    home, login = page("/", "en"), page("/accounts/login/", "en")
    assert '<html lang="en">' in home
    for text in ("Browse projects", "Featured projects", "Skip to content", "Log in", "Sign up"):
        assert text in home, text
    for text in ("Forgotten your password?", "New to Jusha?", "Email address", "Create an account"):
        assert text in login, text
    assert "浏览项目" not in home and "忘记密码" not in login


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_the_language_menu_names_each_language_in_its_own_script(client, lang):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    menu = html[html.index('id="lang-select"'):]
    menu = menu[: menu.index("</select>")]
    assert '>简体中文</option>' in menu and '>繁體中文</option>' in menu and '>English</option>' in menu
