import multiprocessing
import sys

from cisr_desk.cli.main import main

if __name__ == "__main__":
    # Page workers are spawned processes; a frozen (PyInstaller) app must let them start.
    multiprocessing.freeze_support()
    sys.exit(main())
