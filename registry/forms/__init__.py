from geography.forms import (
    PICKER_REFRESH,
    VillageField,
    VillagePicker,
    is_picker_refresh,
    picker_context,
    picker_keep,
    picker_state,
)

__all__ = [
    "PICKER_REFRESH",
    "VillageField",
    "VillagePicker",
    "is_picker_refresh",
    "picker_context",
    "picker_keep",
    "picker_state",
]
