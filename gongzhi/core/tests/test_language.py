from django.urls import reverse


def test_pages_are_chinese_even_for_an_english_browser(client):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录共治平台" in page.content.decode()


def test_language_switch_chooses_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("accounts:login"))
    assert "Sign in to gongzhi" in page.content.decode()
