"""Errors of the flows package (one French sentence each).

CoconError (store.exceptions)
└── PrefectServerError   the Prefect server cannot be started or reached
"""

from store.exceptions import CoconError


class PrefectServerError(CoconError):
    pass
