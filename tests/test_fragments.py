"""Every route htmx swaps answers a fragment to htmx and a whole page (or redirect) otherwise."""

import pytest

ROUTES = [
    # (path, method, route, data, non-htmx answer)
    ("smtp-own", "get", "items/mail-received", None, 200),
    ("smtp-own", "post", "items/mail-received", {"done": "0"}, 303),
    ("smtp-own", "post", "password", {"password": "geheim-geheim"}, 303),
    ("smtp-own", "post", "password-other-channel", {"confirm": "y"}, 303),
    (
        "smtp-own",
        "post",
        "smtp-settings",
        {
            "host": "mail.kunde.test",
            "port": "587",
            "encryption": "tls",
            "username": "u@x.de",
            "sender": "u@x.de",
        },
        303,
    ),  # fmt: skip
    ("mailjet", "post", "inform", {"confirm_red": "1"}, 303),
    ("portal", "post", "portal", {"portal": "portal.x.de", "confirm": "y"}, 303),
    ("smtp-own", "post", "path", {"path": "mailjet"}, 303),
]


@pytest.mark.parametrize("path, method, route, data, plain_status", ROUTES)
def test_fragment_for_htmx_page_for_the_rest(
    customers, kunde_dns, path, method, route, data, plain_status
):
    customers.app.config.update(
        DNS_NAMESERVERS=[kunde_dns.nameserver], SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"]
    )
    for htmx in (True, False):
        _, edit, _ = customers.create(path=path)
        url = f"/c/{edit}/{route}"
        if method == "get":
            headers = {"HX-Request": "true"} if htmx else {}
            response = customers.client.get(url, headers=headers)
        else:
            response = customers.post(url, data, htmx=htmx, token_from=f"/c/{edit}")
        if htmx:
            assert response.status_code == 200, response.text[:300]
            assert "<html" not in response.text
            assert "hx-swap-oob" in response.text or 'id="workspace"' in response.text
        else:
            assert response.status_code == plain_status
            if plain_status == 200:
                assert '<html lang="de">' in response.text
            else:
                assert response.headers["Location"].startswith(f"/c/{edit}")


def test_invalid_form_without_htmx_is_the_whole_page_with_errors(customers):
    _, edit, _ = customers.create(path="smtp-own")
    response = customers.post(f"/c/{edit}/smtp-settings", {"host": "a b"}, token_from=f"/c/{edit}")
    assert response.status_code == 422
    assert '<html lang="de">' in response.text and "Leerzeichen" in response.text
