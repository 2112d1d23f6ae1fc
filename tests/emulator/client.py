"""A gspread client that talks to the emulator (pytest-free).

gspread copies its URLs at import time, so changing ``gspread.urls`` does not
redirect it; instead the HTTP client's ``request()`` rewrites the Google base
URLs to the emulator's.  ``google.oauth2.credentials.Credentials(token=...)``
gives a bearer header without any network call.
"""

from __future__ import annotations

from typing import Any

import gspread
from google.auth.credentials import Credentials as BaseCredentials
from google.oauth2.credentials import Credentials
from gspread.http_client import HTTPClient
from requests import Response

GOOGLE_BASES = ("https://sheets.googleapis.com", "https://www.googleapis.com")


class EmulatorHTTPClient(HTTPClient):
    """gspread's HTTPClient with the Google API base URLs pointed at ``base_url``."""

    base_url = ""

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> Response:
        for base in GOOGLE_BASES:
            if endpoint.startswith(base):
                endpoint = self.base_url + endpoint[len(base) :]
                break
        return super().request(method, endpoint, *args, **kwargs)


def http_client_class(base_url: str, base: type[HTTPClient] = HTTPClient) -> type[HTTPClient]:
    """A subclass of ``base`` (HTTPClient, BackOffHTTPClient...) aimed at ``base_url``."""
    return type(
        "EmulatorHTTPClient", (EmulatorHTTPClient, base), {"base_url": base_url.rstrip("/")}
    )


def gspread_client(
    emu: Any,
    token: str = "test-token",
    credentials: BaseCredentials | None = None,
    base: type[HTTPClient] = HTTPClient,
) -> gspread.Client:
    """A ``gspread.Client`` for ``emu`` (anything with ``base_url``), authorised with
    ``credentials`` or, by default, a static bearer ``token``."""
    auth = credentials if credentials is not None else Credentials(token=token)
    return gspread.Client(auth, http_client=http_client_class(emu.base_url, base))
