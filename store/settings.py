"""Where Cocon keeps its data. ``COCON_HOME`` moves the data directory; ``COCON_DATABASE_URL``
names any SQLAlchemy database (PostgreSQL for shared installs)."""

import os
from pathlib import Path

from store.exceptions import InvalidInput


def data_dir() -> Path:
    """Cocon's data directory (created on first use)."""
    home = os.environ.get("COCON_HOME")
    if home:
        path = Path(home)
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "cocon"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InvalidInput("error.store.home_is_file", path=str(path)) from None
    except NotADirectoryError:
        raise InvalidInput("error.store.home_under_file", path=str(path)) from None
    except OSError as exc:
        raise InvalidInput("error.store.home_not_created", path=str(path), reason=exc.strerror) from None
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


def busy_timeout_seconds() -> float:
    """How long a write waits for another one holding the SQLite database (``COCON_DB_BUSY_SECONDS``, 30 s)."""
    try:
        value = float(os.environ.get("COCON_DB_BUSY_SECONDS", "30"))
    except ValueError:
        raise InvalidInput("error.store.busy_seconds_number") from None
    if not 0 < value <= 3600:
        raise InvalidInput("error.store.busy_seconds_range")
    return value
