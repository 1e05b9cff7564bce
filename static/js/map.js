/* Maps of project locations (Leaflet, served by the site; tiles from OpenStreetMap
   fetched by the visitor's browser). Every map has a list equivalent in the page,
   so nothing is lost without JavaScript or without this file. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  // Texts of the map's controls, in the page's language: data attributes of the map's
  // container translated by the template (data-zoom-in, data-zoom-out,
  // data-attribution), French otherwise. The attribution is built from nodes: the
  // translated text is text, never HTML.
  function text(container, name, fallback) {
    return container.getAttribute(name) || fallback;
  }

  function attribution(container) {
    var link = document.createElement("a");
    link.href = "https://www.openstreetmap.org/copyright";
    link.textContent = text(container, "data-attribution", "les contributeurs d’OpenStreetMap");
    var wrapper = document.createElement("span");
    wrapper.appendChild(document.createTextNode("© "));
    wrapper.appendChild(link);
    return wrapper.innerHTML;
  }

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

  // Metropolitan France with Corsica, then the five overseas régions: the boxes of
  // innovations/geo.py (FRANCE_BOXES), [south, west, north, east].
  var ZONES = [
    ["metropole", [41.30, -5.30, 51.15, 9.65]],
    ["guadeloupe", [15.80, -61.85, 16.55, -60.95]],
    ["martinique", [14.35, -61.25, 14.90, -60.80]],
    ["guyane", [2.05, -54.65, 5.85, -51.55]],
    ["reunion", [-21.42, 55.20, -20.85, 55.86]],
    ["mayotte", [-13.05, 44.98, -12.60, 45.32]]
  ];

  function byZone(points) {
    var groups = {};
    points.forEach(function (point) {
      for (var i = 0; i < ZONES.length; i++) {
        var box = ZONES[i][1];
        if (point.lat >= box[0] && point.lat <= box[2] && point.lon >= box[1] && point.lon <= box[3]) {
          (groups[ZONES[i][0]] = groups[ZONES[i][0]] || []).push(point);
          return;
        }
      }
    });
    return groups;
  }

  function fit(map, points) {
    if (points.length === 1) {
      map.setView([points[0].lat, points[0].lon], 11);
    } else {
      map.fitBounds(L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; })),
        { padding: [24, 24], maxZoom: 12 });
    }
  }

  // A map with « data-zones » opens on metropolitan France (fitting every point,
  // overseas included, shows the mainland as one cluster at the top edge); when
  // results lie in several zones, buttons named by the page (data-zone-<name>, in the
  // reader's language) take the map to each and back.
  function zoneButtons(container, map, groups, shown) {
    var names = ZONES.map(function (zone) { return zone[0]; }).filter(function (name) {
      return groups[name] && container.getAttribute("data-zone-" + name);
    });
    if (names.length < 2) { return; }
    var nav = document.createElement("nav");
    nav.className = "map-zones";
    nav.setAttribute("aria-label", container.getAttribute("data-zones"));
    var list = document.createElement("ul");
    list.className = "inline-list";
    names.forEach(function (name) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--secondary button--small";
      button.setAttribute("data-zone", name);
      button.setAttribute("aria-pressed", name === shown ? "true" : "false");
      button.textContent = container.getAttribute("data-zone-" + name) + " (" + groups[name].length + ")";
      button.addEventListener("click", function () {
        fit(map, groups[name]);
        list.querySelectorAll("button").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    nav.appendChild(list);
    container.parentNode.insertBefore(nav, container);
  }

  // Leaflet cancels the downloads of tiles it no longer needs (on zooming or moving
  // to another zone) by pointing them at a data: image, which the site's
  // Content-Security-Policy (img-src: itself and the tile server) refuses and
  // reports. Removing the address cancels the download just as well.
  var TileLayer = L.TileLayer.extend({
    _abortLoading: function () {
      for (var key in this._tiles) {
        var tile = this._tiles[key];
        if (tile.coords.z !== this._tileZoom && !tile.el.complete) { tile.el.removeAttribute("src"); }
      }
      L.TileLayer.prototype._abortLoading.call(this);
    },
    _removeTile: function (key) {
      var tile = this._tiles[key];
      if (tile) { tile.el.removeAttribute("src"); }
      return L.GridLayer.prototype._removeTile.call(this, key);
    }
  });

  function render(container) {
    var source = document.getElementById(container.getAttribute("data-map"));
    if (!source) { return; }
    var points = JSON.parse(source.textContent || "[]");
    if (!points.length) { container.hidden = true; return; }
    container.hidden = false;
    var map = L.map(container, { scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({
      zoomInTitle: text(container, "data-zoom-in", "Zoom avant"),
      zoomOutTitle: text(container, "data-zoom-out", "Zoom arrière")
    }).addTo(map);
    new TileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18, attribution: attribution(container)
    }).addTo(map);
    var useClusters = container.hasAttribute("data-cluster") && typeof L.markerClusterGroup === "function";
    var layer = useClusters ? L.markerClusterGroup() : L.featureGroup();
    points.forEach(function (point) {
      var marker = L.marker([point.lat, point.lon], { title: point.title || point.label, keyboard: true });
      marker.bindPopup(popup(point));
      layer.addLayer(marker);
    });
    layer.addTo(map);
    if (container.hasAttribute("data-zones")) {
      var groups = byZone(points);
      var shown = groups.metropole ? "metropole" : "";
      ZONES.forEach(function (zone) {
        if (!shown && groups[zone[0]]) { shown = zone[0]; }
      });
      fit(map, shown ? groups[shown] : points);
      zoneButtons(container, map, groups, shown);
    } else {
      fit(map, points);
    }
    container.__carrefourMap = map;
  }

  document.querySelectorAll("[data-map]").forEach(render);
})();
