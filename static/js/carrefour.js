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
  // Submit the language switcher as soon as a language is chosen (the button stays for no-JS).
  var switcher = document.getElementById("language-select");
  if (switcher) {
    switcher.addEventListener("change", function () { switcher.form.submit(); });
  }
})();
