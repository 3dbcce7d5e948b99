"""`archiver archive` and `archiver show`."""
