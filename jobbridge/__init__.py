"""The composition root of JobBridge: the `jobbridge` command, the table of services a process can run, the embedded
platform, and the demonstration data. The one package that knows every service; shared/ and services/ never import it.
"""
