"""``python -m codeidx`` runs the command line."""

from codeidx.cli.main import main

raise SystemExit(main())
