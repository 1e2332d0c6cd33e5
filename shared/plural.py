"""English plurals in the texts of both apps and of the services' messages: a count's noun
is written with its two forms after the count's name, `"{n} {n:complaint|complaints}"`, and
reads "1 complaint", "2 complaints" (issue #15 item 11). Chinese has no plural and does
not use it. Every other format spec ("{x:.1f}") means what it means to str.format."""
import string


class _Plurals(string.Formatter):
    def format_field(self, value, format_spec: str) -> str:
        if "|" in format_spec:
            one, many = format_spec.split("|", 1)
            return one if value == 1 else many
        return super().format_field(value, format_spec)


_FORMATTER = _Plurals()


def fill(template: str, **params) -> str:
    """`template.format(**params)`, with the plural spec above."""
    return _FORMATTER.format(template, **params)
