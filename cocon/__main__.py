"""``python -m cocon`` runs the command line."""

from cocon.cli.main import run

run()
