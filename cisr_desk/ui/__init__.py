"""The desktop application. The only package that imports PySide6; it calls the ``Desk``
facade for everything that reads or changes records and holds no business rules itself."""
