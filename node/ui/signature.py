"""A signature pad: the customer signs with a finger (or the mouse) in a white box; every
drag adds line segments to a Flet canvas so the ink follows the pen, and the strokes are
kept here so that saving renders them to a PNG (png.py) on the server — the same image
whichever browser drew it."""
import flet as ft
import flet.canvas as cv

from node.ui.png import Stroke, strokes_png

INK = ft.Paint(color=ft.Colors.BLACK, stroke_width=3, stroke_cap=ft.StrokeCap.ROUND,
               style=ft.PaintingStyle.STROKE)


class SignaturePad:
    def __init__(self, label: str, width: int = 560, height: int = 180):
        self.width, self.height = width, height
        self.strokes: list[Stroke] = []
        self.canvas = cv.Canvas(shapes=[], width=width, height=height)
        detector = ft.GestureDetector(content=self.canvas, on_pan_start=self._start, on_pan_update=self._move,
                                      drag_interval=15, mouse_cursor=ft.MouseCursor.PRECISE)
        self.control = ft.Container(
            ft.Semantics(content=detector, label=label, container=True),
            width=width, height=height, bgcolor=ft.Colors.WHITE, border_radius=6,
            border=ft.Border.all(1, ft.Colors.BLUE_GREY_300))

    @property
    def empty(self) -> bool:
        """No stroke long enough to be a signature (a stray tap is not one)."""
        return sum(len(s) for s in self.strokes) < 3

    def png(self) -> bytes:
        return strokes_png(self.strokes, self.width, self.height)

    def clear(self) -> None:
        self.strokes.clear()
        self.canvas.shapes.clear()
        self.canvas.update()

    def _inside(self, pos) -> tuple[float, float]:
        return (min(max(pos.x, 0.0), self.width - 1.0), min(max(pos.y, 0.0), self.height - 1.0))

    def _start(self, e: ft.DragStartEvent) -> None:
        self.strokes.append([self._inside(e.local_position)])

    def _move(self, e: ft.DragUpdateEvent) -> None:
        if not self.strokes:
            self.strokes.append([])
        stroke = self.strokes[-1]
        x, y = self._inside(e.local_position)
        if stroke:
            px, py = stroke[-1]
            self.canvas.shapes.append(cv.Line(px, py, x, y, paint=INK))
            self.canvas.update()
        stroke.append((x, y))
