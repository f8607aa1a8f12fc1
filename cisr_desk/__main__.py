import sys

from cisr_desk.cli.main import main

sys.exit(main())
