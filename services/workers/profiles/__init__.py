"""Worker profiles: the labourers staff register, with their personal data protected."""
