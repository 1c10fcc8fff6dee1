"""The store: tables, sessions, migrations and the functions that read and write them."""
