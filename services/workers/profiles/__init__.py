"""Worker profiles: the labourers job stations register and keep current."""
