"""The security headers every response carries, in one place for Flask and the page cache.

A response keeps a header a view set itself; these fill in the rest (web._security_headers
for Flask's responses, pagecache.CachedPages for pages answered from the cache).
"""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    # same-origin, not no-referrer: Flask-WTF's CSRF check over HTTPS needs the Referer
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
# pages (everything but static files) carry links, tokens and customer data: never stored
PAGE_HEADERS = (("Cache-Control", "no-store"),)
# a page and its htmx fragment share one URL: caches must tell them apart
VARY = "HX-Request"
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def page_headers(https: bool) -> tuple[tuple[str, str], ...]:
    """The headers added to a page (not a static file); with HSTS when BASE_URL is https."""
    return SECURITY_HEADERS + PAGE_HEADERS + (("Vary", VARY),) + ((HSTS,) if https else ())
