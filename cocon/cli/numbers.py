"""Numbers typed on the command line: ``2,5`` as well as ``2.5`` (French decimal comma)."""

from store import wording
from store.exceptions import InvalidInput


def decimal(value: str | float) -> float:
    """A number typed by a person (``2,5``, ``2.5``, ``1 234,5``), else one sentence in their language."""
    if isinstance(value, int | float):
        return float(value)
    try:
        return wording.parse_number(value)
    except ValueError:
        raise InvalidInput("error.cli.not_a_number", value=value) from None
