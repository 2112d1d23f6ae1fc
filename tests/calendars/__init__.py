"""Real calendar servers on loopback for the tests: Radicale (CalDAV) and a static HTTP server."""

from .servers import Radicale, StaticHttp

__all__ = ["Radicale", "StaticHttp"]
