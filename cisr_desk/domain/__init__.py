"""The clerk's world in plain Python: field types, forms, rules, the DRP registry and the workflow.

Nothing here imports Qt, SQLAlchemy or an image library.
"""
