"""`python -m fieldsync …` is the `fieldsync` command."""
import sys

from fieldsync.cli import main

sys.exit(main())
