"""Reading rendered HTML in tests: its elements, their attributes and their text, as a browser would see them."""

from dataclasses import dataclass
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: "Element | None" = None
    text: str = ""

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()


class Markup(HTMLParser):
    """Every element of ``html`` in document order; character references already decoded."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(str(html))
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), parent=self._open[-1] if self._open else None)
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, dict(attrs), parent=self._open[-1] if self._open else None))

    def handle_endtag(self, tag):
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    def all(self, tag: str, **attrs) -> list[Element]:
        """The ``tag`` elements whose attributes include ``attrs`` (``aria_invalid`` for aria-invalid)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(n) == v for n, v in wanted.items())]

    def inside(self, container: Element, tag: str) -> list[Element]:
        """The ``tag`` elements within ``container``, in document order."""
        found = []
        for element in self.all(tag):
            parent = element.parent
            while parent is not None and parent is not container:
                parent = parent.parent
            if parent is container:
                found.append(element)
        return found

    def one(self, tag: str, **attrs) -> Element:
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag}> with {attrs}"
        return found[0]

    def by_id(self, element_id: str) -> Element:
        found = [e for e in self.elements if e.attrs.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    def name_of(self, element: Element) -> str:
        """Its accessible name as a screen reader gives it: the texts its aria-labelledby names, else its label's."""
        if "aria-labelledby" in element.attrs:
            return " ".join(" ".join(self.by_id(i).text.split()) for i in element.attrs["aria-labelledby"].split())
        return self.label_of(element)

    def label_of(self, element: Element) -> str:
        """The text of the one label whose ``for`` names ``element``, whitespace collapsed."""
        return " ".join(self.one("label", **{"for": element.attrs["id"]}).text.split())
