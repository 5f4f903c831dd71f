"""SQL the set-based services share: INSERT ... SELECT into a model's table."""

from typing import Any

from django.db import connection


def insert_select_sql(model, given: dict[str, str], params: dict[str, Any]) -> str:
    """INSERT INTO <model's table> (<every column>) SELECT <`given` expressions>.

    The caller appends the FROM clause. Columns not in `given` get the field's default
    (the database's own, or sent as a parameter added to `params`), so a field another
    feature adds to the model with a default needs nothing here; one without a default
    fails loudly instead of being left out.
    """
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.name not in given and field.has_db_default():
            continue  # the database fills it in
        columns.append(connection.ops.quote_name(field.column))
        if field.name in given:
            values.append(given[field.name])
        else:
            key = f"default_{model._meta.model_name}_{field.column}"
            params[key] = field.get_db_prep_save(field.get_default(), connection)
            values.append(f"%({key})s")
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)}"
