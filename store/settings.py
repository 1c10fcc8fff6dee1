"""Where Cocon keeps its data. ``COCON_HOME`` moves the data directory; ``COCON_DATABASE_URL``
names any SQLAlchemy database (PostgreSQL for shared installs)."""

import os
from pathlib import Path


def data_dir() -> Path:
    """Cocon's data directory (created on first use)."""
    home = os.environ.get("COCON_HOME")
    if home:
        path = Path(home)
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "cocon"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """The database URL: ``COCON_DATABASE_URL`` or a SQLite file in the data directory."""
    return os.environ.get("COCON_DATABASE_URL") or f"sqlite:///{data_dir() / 'cocon.sqlite'}"


def language() -> str:
    """The language Cocon speaks to the person at the terminal (``COCON_LANG``, French by default)."""
    return "en" if os.environ.get("COCON_LANG", "fr").lower().startswith("en") else "fr"


def base_url() -> str | None:
    """Public address of Cocon's web pages (``COCON_BASE_URL``), for links in messages."""
    value = os.environ.get("COCON_BASE_URL", "").strip().rstrip("/")
    return value or None
