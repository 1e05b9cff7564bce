/* Maps of project locations (Leaflet, served by the site; tiles from OpenStreetMap
   fetched by the visitor's browser). Every map has a list equivalent in the page,
   so nothing is lost without JavaScript or without this file. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">les contributeurs d’OpenStreetMap</a>';

  // A popup is built from DOM nodes with textContent: titles and place names are
  // text from people and partners, never HTML.
  function safeUrl(url) {
    var link = document.createElement("a");
    link.href = url;
    return link.protocol === "http:" || link.protocol === "https:" ? link.href : "";
  }

  function popup(point) {
    var content = document.createElement("div");
    var name = point.title || point.label || "";
    var url = point.url ? safeUrl(point.url) : "";
    var heading = document.createElement(url ? "a" : "strong");
    if (url) { heading.href = url; }
    heading.textContent = name;
    content.appendChild(heading);
    if (point.title && point.label) {
      content.appendChild(document.createElement("br"));
      content.appendChild(document.createTextNode(point.label));
    }
    return content;
  }

  function render(container) {
    var source = document.getElementById(container.getAttribute("data-map"));
    if (!source) { return; }
    var points = JSON.parse(source.textContent || "[]");
    if (!points.length) { container.hidden = true; return; }
    container.hidden = false;
    var map = L.map(container, { scrollWheelZoom: false });
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18, attribution: ATTRIBUTION
    }).addTo(map);
    var useClusters = container.hasAttribute("data-cluster") && typeof L.markerClusterGroup === "function";
    var layer = useClusters ? L.markerClusterGroup() : L.featureGroup();
    points.forEach(function (point) {
      var marker = L.marker([point.lat, point.lon], { title: point.title || point.label, keyboard: true });
      marker.bindPopup(popup(point));
      layer.addLayer(marker);
    });
    layer.addTo(map);
    if (points.length === 1) {
      map.setView([points[0].lat, points[0].lon], 11);
    } else {
      map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 12 });
    }
    container.__carrefourMap = map;
  }

  document.querySelectorAll("[data-map]").forEach(render);
})();
