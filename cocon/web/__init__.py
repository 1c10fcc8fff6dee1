"""The web face of Cocon: server-rendered pages (FastAPI + Jinja2) over the engine's services.

``from cocon.web import create_app`` builds the app; FastAPI is imported only then, so that the
command line, which shares this package's account functions, stays quick to start.
"""

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from cocon.web.app import create_app

        return create_app
    raise AttributeError(name)
