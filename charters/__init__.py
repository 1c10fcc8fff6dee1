"""Charters of engagement: written from the project, versioned, signed, verifiable.

- :mod:`charters.context` builds the typed context of a charter from a project;
- :mod:`charters.rendering` turns it into Markdown, a printable HTML page and a PDF;
- :mod:`charters.versions` keeps one version per distinct text, with its SHA-256;
- :mod:`charters.signing` records signatures (on paper or by a single-use link);
- :mod:`charters.verification` recomputes every hash to reveal silent edits.
"""
