"""The UI plumbing both Flet apps (the outlet's node UI and the HQ UI) are built on: the
shell, the navigation, the login card and the small widgets. One copy here, so a fix to
the rail or the login reaches both apps; each app keeps only its texts and screens."""
