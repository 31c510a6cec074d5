"""Scripts that make the project's generated files from Marketo's WSDL (run as `python tools/<name>.py`)."""
