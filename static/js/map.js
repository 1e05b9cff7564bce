/* Maps of project locations (Leaflet, served by the site; tiles from OpenStreetMap
   fetched by the visitor's browser). Every map has a list equivalent in the page,
   so nothing is lost without JavaScript or without this file. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">les contributeurs d’OpenStreetMap</a>';

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function popup(point) {
    var html = "";
    if (point.url) {
      html += '<a href="' + escapeHtml(point.url) + '">' + escapeHtml(point.title || point.label) + "</a>";
    } else {
      html += "<strong>" + escapeHtml(point.title || point.label) + "</strong>";
    }
    if (point.title && point.label) { html += "<br>" + escapeHtml(point.label); }
    return html;
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
