"""The notify service: pushes each worker's job offers by SMS or WeChat, once, politely, surviving provider failures."""
