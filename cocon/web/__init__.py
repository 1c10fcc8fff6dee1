"""The web face of Cocon: server-rendered pages (FastAPI + Jinja2) over the engine's services.

``cocon.web.app.create_app`` builds the app. This package's ``__init__`` imports nothing, so that
importing one of its modules does not load FastAPI and every page.
"""
