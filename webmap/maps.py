"""Build folium maps that load every script and style sheet from Kasane itself.

folium's classes list CDN URLs in ``default_js``/``default_css``. :func:`build_map` makes a
map whose lists point at ``/vendor/…`` (npm packages served by :mod:`webmap.vendor`), with the
basemap from settings (:mod:`webmap.basemap`: the local basemap beneath, an imported archive or
the online tiles on top). :func:`localize` does the
same for plugins added later and refuses any asset it cannot serve locally, so a page can never
silently depend on the internet. :func:`map_parts` splits the rendered figure into head, body
and script, for embedding in our own templates (where a CSP nonce can be added later).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from markupsafe import Markup

from gis.platform.settings import Settings
from webmap import basemap
from webmap.vendor import vendor_url

# folium's asset name -> (npm package, file). Add a line (and the package to package.json and
# webmap.vendor.ALLOWED) when a page uses a folium plugin with other assets.
VENDOR_ASSETS: dict[str, tuple[str, str]] = {
    "leaflet": ("leaflet", "dist/leaflet.js"),
    "leaflet_css": ("leaflet", "dist/leaflet.css"),
    "awesome_markers": ("leaflet.awesome-markers", "dist/leaflet.awesome-markers.js"),
    "awesome_markers_css": ("leaflet.awesome-markers", "dist/leaflet.awesome-markers.css"),
    "awesome_markers_font_css": ("@fortawesome/fontawesome-free", "css/all.min.css"),
    "vectorgrid": ("leaflet.vectorgrid", "dist/Leaflet.VectorGrid.bundled.min.js"),
    "leaflet_geoman_js": ("@geoman-io/leaflet-geoman-free", "dist/leaflet-geoman.min.js"),
    "leaflet_geoman_css": ("@geoman-io/leaflet-geoman-free", "dist/leaflet-geoman.css"),
}
# folium's defaults that Kasane's maps do without (Bootstrap 3/5 and jQuery: used by no
# element we render; Bootstrap's CSS would also restyle our pages).
# awesome_rotate_css: folium's rotation classes; Font Awesome 6 has its own fa-rotate-*.
DROPPED = {"jquery", "bootstrap", "bootstrap_css", "glyphicons_css", "awesome_rotate_css"}
# Japan, for a map with nothing to fit to
JAPAN_CENTRE = (36.0, 138.0)


class Basemap(JSCSSMixin, MacroElement):
    """The local basemap and the imported archive, drawn by ``static/js/basemap.js``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            KasaneBasemap.add({{ this._parent.get_name() }}, {{ this.config|tojson }});
        {% endmacro %}
        """
    )
    default_js = [  # noqa: RUF012  (folium's class attribute)
        ("vectorgrid", "vectorgrid"),
        ("kasane_basemap", "/static/js/basemap.js"),
    ]
    default_css = [("kasane_basemap_css", "/static/css/basemap.css")]  # noqa: RUF012

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "KasaneBasemap"
        self.config = config


class OffsiteAsset(ValueError):
    """A map element wants a script or style sheet from another host."""


class KasaneMap(folium.Map):
    """folium's Map for embedding in an accessible page.

    Unlike folium's own template it leaves the page's viewport (no ``user-scalable=no``,
    which fails WCAG 1.4.4) and ``html, body`` styles alone, needs no jQuery, and gives the
    map container an accessible name.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                #{{ this.get_name() }} {
                    position: {{this.position}};
                    width: {{this.width[0]}}{{this.width[1]}};
                    height: {{this.height[0]}}{{this.height[1]}};
                    left: {{this.left[0]}}{{this.left[1]}};
                    top: {{this.top[0]}}{{this.top[1]}};
                }
                .leaflet-container { font-size: {{this.font_size}}; }
            </style>
            <script>
                L_NO_TOUCH = {{ this.global_switches.no_touch |tojson}};
                L_DISABLE_3D = {{ this.global_switches.disable_3d|tojson }};
            </script>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }} role="region"
                 aria-label="{{ this.aria_label|e }}"></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{this.options|tojavascript}}
                }
            );
            {%- if this.control_scale %}
            L.control.scale().addTo({{ this.get_name() }});
            {%- endif %}
            {%- if this.zoom_control_position %}
            L.control.zoom({position: {{ this.zoom_control|tojson }}})
                .addTo({{ this.get_name() }});
            {%- endif %}
            {% if this.objects_to_stay_in_front %}
            function objects_in_front() {
                {%- for obj in this.objects_to_stay_in_front %}
                    {{ obj.get_name() }}.bringToFront();
                {%- endfor %}
            };
            {{ this.get_name() }}.on("overlayadd", objects_in_front);
            objects_in_front();
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *args: Any, aria_label: str = "地図 (Map)", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aria_label = aria_label


def _local(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for name, url in pairs:
        if name in DROPPED:
            continue
        if name in VENDOR_ASSETS:
            out.append((name, vendor_url(*VENDOR_ASSETS[name])))
        elif urlparse(url).netloc:
            raise OffsiteAsset(
                f"map asset {name!r} would load from {url}: add its npm package to "
                "package.json, webmap.vendor.ALLOWED and webmap.maps.VENDOR_ASSETS"
            )
        else:
            out.append((name, url))
    return out


def _walk(element: Element) -> list[Element]:
    found = [element]
    for child in element._children.values():
        found.extend(_walk(child))
    return found


def localize(root: Element) -> Element:
    """Point every folium element under ``root`` at Kasane's own copies of its assets."""
    for element in _walk(root):
        if isinstance(element, JSCSSMixin):
            # instance attributes: folium's add_js_link would otherwise edit the class lists
            element.default_js = _local(list(type(element).default_js))
            element.default_css = _local(list(type(element).default_css))
    return root


def build_map(
    settings: Settings,
    *,
    location: tuple[float, float] | None = None,
    zoom_start: int = 9,
    bounds: tuple[float, float, float, float] | None = None,
    aria_label: str = "地図 (Map)",
    **options: Any,
) -> KasaneMap:
    """A folium map with local assets and the configured basemap.

    ``bounds`` is (min lon, min lat, max lon, max lat); the map fits to it when given.
    ``aria_label`` names the map for screen readers (say what it shows, in the page's language).
    Extra ``options`` go to :class:`folium.Map` (e.g. ``height``, ``control_scale``).
    """
    fmap = KasaneMap(
        location=location or JAPAN_CENTRE,
        zoom_start=zoom_start,
        tiles=None,
        aria_label=aria_label,
        **options,
    )
    choice = basemap.config(settings)
    Basemap(choice).add_to(fmap)  # also loads VectorGrid, which every Kasane map uses
    if choice["mode"] == "online":
        folium.TileLayer(
            tiles=settings.basemap_url,
            attr=settings.basemap_attribution,
            name="basemap",
            max_zoom=18,
            control=False,
        ).add_to(fmap)
    if bounds is not None:
        fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    localize(fmap)
    return fmap


@dataclass(frozen=True)
class MapParts:
    """A rendered map split for a page template: ``head`` (links, styles), ``body`` (the map
    container) and ``script`` (the code that draws it, to place before ``</body>``)."""

    head: Markup
    body: Markup
    script: Markup


def map_parts(fmap: folium.Map) -> MapParts:
    """Render ``fmap`` (and its plugins, localized again) into :class:`MapParts`."""
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    figure.header._children.pop("meta_http", None)  # the page declares its own charset
    localize(figure)
    figure.render()
    return MapParts(
        head=Markup(figure.header.render()),
        body=Markup(figure.html.render()),
        script=Markup(figure.script.render()),
    )


Bbox = tuple[float, float, float, float]


def union_bbox(boxes: Iterable[Bbox | None]) -> Bbox | None:
    """The box around every given box (min lon, min lat, max lon, max lat); None when none."""
    present = [b for b in boxes if b]
    if not present:
        return None
    return (
        min(b[0] for b in present),
        min(b[1] for b in present),
        max(b[2] for b in present),
        max(b[3] for b in present),
    )
