"""The demo network: realistic Chinese data (`data`), the served demo with a hub and two
outlet nodes as processes (`served`), and scripted offline days in one process (`headless`)."""
