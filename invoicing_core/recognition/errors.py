"""The error a document that cannot be recognised raises: a code and a Chinese message."""


class RecognitionError(Exception):
    """A file recognition refuses (too large, not a document, unreadable, no invoice).

    `field` names what was wrong, "file" for the file itself, as the API's errors do.
    """

    def __init__(self, code: str, message: str, *, field: str | None = "file") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
