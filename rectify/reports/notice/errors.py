"""The one error a notice file can raise while it is read or imported; its message is for the user."""


class NoticeFormatError(ValueError):
    """The file is not a notice Rectify can read; the message says why, in Chinese."""
