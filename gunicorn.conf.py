"""gunicorn settings for production (gunicorn reads this file from the working directory).

Only what the app needs from the server itself; workers, threads and the address are given
on the command line in the README.
"""

from app import configured_app

# access and error log without link tokens (request line, Referer, error messages)
logger_class = "mitwirkung.logs.RedactingLogger"

# SCRIPT_NAME / PATH_INFO headers are never taken from a request: the app's prefix comes from
# BASE_URL alone, and gunicorn answers a 500 to a SCRIPT_NAME that does not prefix the path
forwarder_headers = ""
header_map = "drop"

# A configuration Mitwirkung cannot run with (a bad obligation or provider file, a setting of
# the wrong kind) stops gunicorn with its one-line reason, instead of workers failing and
# being restarted while the master keeps listening.
# - on_starting runs "just before the master process is initialized"
#   (https://docs.gunicorn.org/en/stable/settings.html#on-starting): the app's settings and
#   files are loaded and checked there once, before any socket or worker.
# - should a worker still fail to load the app, it exits with the arbiter's
#   WORKER_BOOT_ERROR (3): "If a worker process exist with this error code, the arbiter will
#   terminate" (gunicorn/arbiter.py; https://github.com/benoitc/gunicorn/blob/master/gunicorn/arbiter.py).
WORKER_BOOT_ERROR = 3


def on_starting(server):
    """Refuse to start (exit 1, the reason once in the error log) on a bad configuration."""
    try:
        configured_app()
    except SystemExit as refused:
        server.log.error("%s", refused.code)
        if server.pidfile is not None:
            server.pidfile.unlink()
        raise SystemExit(1) from None


def post_fork(server, worker):
    """A worker that cannot load the app stops the whole server (see above)."""
    load = worker.load_wsgi

    def load_wsgi():
        try:
            load()
        except SystemExit as refused:
            if refused.code in (0, None):
                raise
            worker.log.error("%s", refused.code)
            raise SystemExit(WORKER_BOOT_ERROR) from None

    worker.load_wsgi = load_wsgi
