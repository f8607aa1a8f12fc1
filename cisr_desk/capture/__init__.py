"""From PDF files to forms with read, normalised, scored and checked fields.

Steps are pure functions of page images, templates and settings (``pipeline.py`` runs them,
one process per page batch), so each can be tested on its own and run in parallel.
"""
