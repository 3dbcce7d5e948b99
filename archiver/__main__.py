"""`python -m archiver`: the same as the `archiver` command."""
from .cli import run

run()
