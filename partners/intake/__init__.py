"""Bulk intake of registrants from CSV and XLSX files (the template of DESIGN.md).

columns       -> the template's columns and how a header row is matched
reading       -> the file's rows as text cells, or one message about the whole file
checking      -> each row through the rules of person_data_clean plus the file's own
validation    -> a stored batch checked and its rows written (COPY), restartable
commit        -> the valid rows registered in chunks (COPY + INSERT ... SELECT), resumable
locking       -> one process at a time on a batch's validation or commit
output        -> the rejected rows with reasons, the blank templates
template_text -> the instructions sheet, in Khmer and English
selectors     -> batches and rows, scoped like the branch pages
km.po         -> Khmer translations of the new messages, to merge into locale/km

Web pages, the API and `import_registrants` go through partners/services.py.
"""

from partners.intake.columns import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, TEMPLATE_COLUMNS
from partners.intake.commit import batch_commit
from partners.intake.output import (
    errors_text,
    intake_rejected_rows_csv,
    intake_rejected_rows_write,
    intake_template_csv,
    intake_template_xlsx,
)
from partners.intake.reading import IntakeFile, intake_file_read
from partners.intake.validation import batch_validate

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "TEMPLATE_COLUMNS",
    "IntakeFile",
    "batch_commit",
    "batch_validate",
    "errors_text",
    "intake_file_read",
    "intake_rejected_rows_csv",
    "intake_rejected_rows_write",
    "intake_template_csv",
    "intake_template_xlsx",
]
