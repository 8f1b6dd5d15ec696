"""A customer link's page answered from the page cache is the page Flask would answer, for
exactly the revision the customer is at; everything the cache cannot answer goes to Flask."""

import pytest

from mitwirkung import store
from mitwirkung.pagecache import PageCache


@pytest.fixture
def reached(app):
    """Record the requests that reach Flask's page view (which renders or reads the cache)."""
    calls = []
    view = app.view_functions["customer.page"]

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return view(*args, **kwargs)

    app.view_functions["customer.page"] = counting
    app.view_functions["customer.share_page"] = counting
    return calls


def headers_of(response) -> list[tuple[str, str]]:
    return sorted(response.headers.items())


@pytest.mark.parametrize("base_url", ["http://mitwirkung.test", "https://mitwirkung.test/pfad"])
@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("link", ["edit", "share"])
def test_a_cached_page_has_the_body_and_headers_flask_sent(
    app, client, customers, reached, base_url, htmx, link
):
    app.config["BASE_URL"] = base_url
    customer, edit, share = customers.create(path="smtp-own")
    prefix = (
        base_url.removeprefix("https://").removeprefix("http://").removeprefix("mitwirkung.test")
    )
    url = f"{prefix}/c/{edit}" if link == "edit" else f"{prefix}/s/{share}"
    extra = {"HX-Request": "true"} if htmx else {}
    made = client.get(url, headers=extra)
    assert made.status_code == 200 and len(reached) == 1
    served = client.get(url, headers=extra)
    assert len(reached) == 1, "the second request must be answered from the cache"
    assert served.status_code == 200
    assert served.data == made.data
    assert headers_of(served) == headers_of(made)
    assert served.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" in served.headers or base_url.startswith("http://")
    assert 'id="workspace"' in served.text
    assert (customer["name"] in served.text) is not htmx  # htmx: the workspace block only


def test_a_change_is_shown_at_once_never_the_cached_page_before_it(client, customers, db, reached):
    customer, edit, share = customers.create(path="smtp-own")
    before = {url: client.get(url).text for url in (f"/c/{edit}", f"/s/{share}")}
    for url in before:
        client.get(url)  # now cached
    assert len(reached) == 2
    store.set_item(db, customer["id"], "smtp-settings", "done", "test")
    progress = client.get(f"/c/{edit}/status.json").get_json()["progress"]
    assert progress > 0
    for url, old in before.items():
        assert 'data-progress="0"' in old
        assert f'data-progress="{progress}"' in client.get(url).text
    assert len(reached) == 4, "a new revision is reached, not served from the cache"


@pytest.mark.parametrize(
    "case",
    [
        {"cookie": ("session", "abc")},
        {"headers": {"X-Forwarded-For": "192.0.2.1"}},
        {"method": "HEAD"},
        {"query": "?x=1"},
    ],
    ids=["cookie", "forwarded-for", "head", "query"],
)
def test_requests_flask_shapes_differently_are_answered_by_flask(
    app, client, customers, reached, case
):
    customer, edit, _ = customers.create(path="portal")
    url = f"/c/{edit}"
    assert client.get(url).status_code == 200 and len(reached) == 1
    method = case.get("method", "GET")
    if "cookie" in case:  # the test client sends its cookie jar, not a Cookie header
        client.set_cookie(*case["cookie"])
    response = client.open(url + case.get("query", ""), method=method, headers=case.get("headers"))
    assert response.status_code == 200
    if "query" in case:  # Flask ignores the query string of the page: the cache may too
        assert len(reached) == 1 and response.data == client.get(url).data
    else:
        assert len(reached) == 2


def test_closed_unknown_and_misspelled_links_get_flasks_answers(client, customers, db, reached):
    customer, edit, share = customers.create(path="portal")
    assert client.get(f"/c/{edit}").status_code == 200
    assert client.get(f"/c/{edit}").status_code == 200  # cached
    assert client.get(f"/c/{edit}/").status_code == 404
    assert client.get(f"/c/{edit[:-1]}").status_code == 404
    assert client.get(f"/s/{edit}").status_code == 404  # an edit token is no share link
    store.archive_customer(db, customer["id"], "test")
    closed = client.get(f"/c/{edit}")
    assert closed.status_code == 410 and "abgeschlossen" in closed.text.lower()
    assert len(reached) == 1


def test_an_emptied_cache_renders_again(app, client, customers, reached):
    _, edit, _ = customers.create(path="mailjet")
    first = client.get(f"/c/{edit}")
    app.extensions["page_cache"] = PageCache()
    again = client.get(f"/c/{edit}")
    assert len(reached) == 2 and again.data == first.data
