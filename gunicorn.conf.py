"""gunicorn settings for production (gunicorn reads this file from the working directory).

Only what the app needs from the server itself; workers, threads and the address are given
on the command line in the README.
"""

# access and error log without link tokens (request line, Referer, error messages)
logger_class = "mitwirkung.logs.RedactingLogger"

# SCRIPT_NAME / PATH_INFO headers are never taken from a request: the app's prefix comes from
# BASE_URL alone, and gunicorn answers a 500 to a SCRIPT_NAME that does not prefix the path
forwarder_headers = ""
header_map = "drop"
