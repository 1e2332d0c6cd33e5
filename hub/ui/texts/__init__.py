"""One module per HQ screen (or group of screens), each with `TEXTS = {key: (zh, en)}`."""
