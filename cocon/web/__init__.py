"""The web face of Cocon: server-rendered pages (FastAPI + Jinja2) over the engine's services.

``from cocon.web.app import create_app`` builds the app. The command line imports nothing from
here but the server, when it serves; accounts live in the ``accounts`` service package.
"""
