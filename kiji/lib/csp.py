"""Content-Security-Policy: a strict one for reader pages, the admin's own for the back office.

Reader pages run only Kiji's own script files (no inline script, no eval; JSON-LD is a data block,
which CSP does not execute), styles from Kiji's own files, pictures from here and over HTTPS (imported
articles may show pictures from their source), and may not be framed. The admin (Django's own
templates and widgets) also runs only script files from here, but keeps inline style attributes.
A cached page keeps the header it was stored with.
"""

from django.conf import settings

_COMMON = "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
READER_POLICY = f"{_COMMON}; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'"
ADMIN_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'; "
    "script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; connect-src 'self'"
)
# The 500 page is self-contained (it must render when nothing else works): its one inline <style>.
ERROR_POLICY = f"{_COMMON}; script-src 'none'; style-src 'unsafe-inline'; img-src 'self'"


def policy_for(path: str, status: int) -> str:
    if status >= 500:
        return ERROR_POLICY
    if path.startswith("/admin/"):
        return ADMIN_POLICY
    return READER_POLICY


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.KIJI_CSP and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(request.path_info, response.status_code)
        return response
