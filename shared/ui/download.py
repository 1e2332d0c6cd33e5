"""Handing a file a service made (an Excel export, a CSV) to the browser's save dialog."""
import flet as ft


class Download:
    """One per view: the FilePicker it makes on first use stays referenced while the page lives."""

    def __init__(self) -> None:
        self._picker: ft.FilePicker | None = None

    async def save(self, name: str, data: bytes, ext: str) -> None:
        if self._picker is None:
            self._picker = ft.FilePicker()
        await self._picker.save_file(file_name=name, src_bytes=data, file_type=ft.FilePickerFileType.CUSTOM,
                                     allowed_extensions=[ext])
