"""The one exception Books services raise; views turn it into Zoho's numeric envelope."""

from .. import knobs


class BooksError(Exception):
    """A refusal with Zoho's numeric `code`, literal `message` and HTTP `status`."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def invalid_value(param: str) -> BooksError:
    """Code 2 "Invalid value passed for <param>" (zoho-api.md §3.9, observed for filter_by)."""
    return BooksError(2, f"Invalid value passed for {param}")


def not_found(entity: str) -> BooksError:
    """Code 1002 "<Entity> does not exist."; status 404 unless the 1002 knob says 400."""
    return BooksError(1002, f"{entity} does not exist.", knobs.get().books_1002_status)
