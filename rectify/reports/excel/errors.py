"""The import's one error: nothing was imported, and the Chinese messages say why."""

# A file with thousands of errors (say, the wrong sheet) is summed up after this many.
LISTED_ERRORS = 200


def listed_errors(messages: list[str]) -> list[str]:
    """The first ``LISTED_ERRORS`` messages, and a line saying how many more there are."""
    if len(messages) <= LISTED_ERRORS:
        return messages
    return [*messages[:LISTED_ERRORS], f"……另有 {len(messages) - LISTED_ERRORS} 处错误未列出。"]


class LedgerImportError(Exception):
    """Nothing was imported; ``messages`` say why, in Chinese (each naming its row and column
    where there is one). ``result`` is the preview of the rows when the file could be read."""

    def __init__(self, messages: list[str], result=None):
        super().__init__("\n".join(listed_errors(messages)))
        self.messages = messages
        self.result = result
