"""Per-record failures, rendered as elements of the `data` answer array (§2.5)."""

from ..models import CrmRecord


class RecordError(Exception):
    """A per-record failure, rendered as one element of the `data` answer array (§2.5)."""

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details

    def element(self, index: int | None = None) -> dict:
        details = dict(self.details)
        if index is not None and "api_name" in details:
            details["json_path"] = f"$.data[{index}].{details['api_name']}"
        return {"code": self.code, "details": details, "message": self.message, "status": "error"}


def invalid_id(record_id: object) -> RecordError:
    return RecordError("INVALID_DATA", "the id given seems to be invalid", id=record_id)


class AlreadyModified(RecordError):
    def __init__(self, record: CrmRecord) -> None:
        super().__init__(
            "ALREADY_MODIFIED",
            "record has been modified after the specified time",
            id=record.record_id,
        )
        self.record = record
