"""Cocon: the faces (command line and web) of the co-construction workflow engine."""
