"""Writing export files: the SQL of each column (sql), the full and delta statements
and the file writers (runner)."""
