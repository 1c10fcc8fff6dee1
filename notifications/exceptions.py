"""Errors of the notifications package (each message is one French sentence for a coordinator).

CoconError (store.exceptions)
└── NotificationError
    ├── ChannelError        a channel setting (COCON_SMTP_URL, an Apprise URL) cannot be used
    └── TemplateMissing     a message template does not exist in that language
"""

from store.exceptions import CoconError


class NotificationError(CoconError):
    pass


class ChannelError(NotificationError):
    pass


class TemplateMissing(NotificationError):
    pass
