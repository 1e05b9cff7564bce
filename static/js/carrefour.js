/* Carrefour — progressive enhancements only: every page works without this file.
   Loaded first on every page (base.html), it also holds what the other scripts share. */
(function () {
  "use strict";
  var Carrefour = window.Carrefour = window.Carrefour || {};

  // Project titles, place names and search queries come from people and partners:
  // they are text, never HTML. Libraries that only take an HTML string get it escaped.
  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }
  Carrefour.escapeHtml = escapeHtml;
  // alphagov's accessible-autocomplete renders each option with innerHTML, its
  // default suggestion template being the raw string (and `defaultValue` becomes an
  // option on page load): every autocomplete of the site passes these templates.
  Carrefour.autocompleteTemplates = {
    inputValue: function (option) { return option == null ? option : String(option); },
    suggestion: function (option) { return escapeHtml(option); }
  };

  // Move focus to the error summary so keyboard and screen-reader users hear it first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  // Disclosures that are open on wide screens (the header menu, the search filters):
  // <details data-open-wide="60rem"> opens from that width up and closes below it.
  document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
    var wide = window.matchMedia("(min-width: " + details.getAttribute("data-open-wide") + ")");
    function sync() { details.open = wide.matches; }
    sync();
    if (wide.addEventListener) { wide.addEventListener("change", sync); }
    // Escape closes an open menu on small screens and gives focus back to its button.
    details.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && details.open && !wide.matches) {
        details.open = false;
        details.querySelector("summary").focus();
      }
    });
  });
  // A link to something inside a closed disclosure (skip links, error summary) opens it.
  function reveal() {
    var target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }
  window.addEventListener("hashchange", reveal);
  reveal();
  // Search analytics: when a result is followed, tell /recherche/clic which one, at
  // which rank, for which query (aggregated counters, nothing about the visitor).
  // sendBeacon survives the page being left; without it (or without JS) nothing is
  // counted and the link works the same. « first » marks the first click of a search
  // (for the click-through rate): page 1 starts a search, later pages continue it.
  var resultsList = document.querySelector("[data-search-clicks]");
  if (resultsList && navigator.sendBeacon && window.FormData) {
    var searchQuery = resultsList.getAttribute("data-search-query") || "";
    var clickedKey = "carrefour.search-clicked";
    var storage = null;
    try { storage = window.sessionStorage; } catch (error) { storage = null; }
    if (storage && resultsList.getAttribute("data-search-page") === "1") {
      try { storage.removeItem(clickedKey); } catch (error) { /* storage full or denied */ }
    }
    var sendClick = function (event) {
      // click: primary button, and Enter on a focused link; auxclick: middle button.
      if (event.type === "auxclick" && event.button !== 1) { return; }
      var link = event.target.closest && event.target.closest("a[data-search-key]");
      if (!link || !resultsList.contains(link)) { return; }
      var first = true;
      if (storage) {
        try {
          first = storage.getItem(clickedKey) !== searchQuery;
          storage.setItem(clickedKey, searchQuery);
        } catch (error) { first = true; }
      }
      var data = new FormData();
      data.append("q", searchQuery);
      data.append("key", link.getAttribute("data-search-key"));
      data.append("position", link.getAttribute("data-search-position"));
      if (first) { data.append("first", "1"); }
      navigator.sendBeacon(resultsList.getAttribute("data-search-clicks"), data);
    };
    resultsList.addEventListener("click", sendClick);
    resultsList.addEventListener("auxclick", sendClick);
  }
  // Submit the language switcher as soon as a language is chosen (the button stays for no-JS).
  var switcher = document.getElementById("language-select");
  if (switcher) {
    switcher.addEventListener("change", function () { switcher.form.submit(); });
  }
})();
