"""The ``cocon`` command line."""
