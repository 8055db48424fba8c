"""The offers page a WeChat message links to: the message's offers and two answers per offer, behind a signed link."""
