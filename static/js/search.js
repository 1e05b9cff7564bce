/* Search page enhancements; the page works as a plain form without them.
   - filters and sort apply as soon as they change;
   - suggestions as you type (titles lead to the page, themes and places filter),
     with alphagov's accessible-autocomplete. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  // Keep shared URLs short: leave out empty fields and default values.
  function tidy() {
    var place = form.querySelector("[name=autour]");
    form.querySelectorAll("input[name], select[name]").forEach(function (field) {
      var empty = field.type !== "checkbox" && field.value === "";
      var defaultSort = field.name === "tri" && field.value === (field.getAttribute("data-default") || "pertinence");
      var idleRadius = field.name === "rayon" && (!place || place.value === "");
      if (empty || defaultSort || idleRadius) { field.disabled = true; }
    });
  }
  form.addEventListener("submit", tidy);
  form.querySelectorAll("[data-autosubmit]").forEach(function (input) {
    input.addEventListener("change", function () { tidy(); form.submit(); });
  });
  // Hide long facet lists behind a button (all values stay in the HTML without JS).
  // Its label comes from the page, in the page's language: data-more-label on the
  // form, « Voir plus (%(n)s) » translated by the template.
  var moreLabel = form.getAttribute("data-more-label") || "Voir plus (%(n)s)";
  form.querySelectorAll(".facet__values").forEach(function (list) {
    var extra = list.querySelectorAll(".facet__more");
    if (!extra.length) { return; }
    extra.forEach(function (item) { item.hidden = true; });
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = moreLabel.replace("%(n)s", String(extra.length));
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () {
      extra.forEach(function (item) { item.hidden = false; });
      button.remove();
      extra[0].querySelector("input").focus();
    });
    list.parentNode.appendChild(button);
  });

  var input = document.getElementById("search-q");
  if (!input || typeof accessibleAutocomplete === "undefined" || !window.Carrefour) { return; }
  var endpoint = input.getAttribute("data-search-suggest");
  var latest = [];
  var wrapper = document.createElement("div");
  input.parentNode.insertBefore(wrapper, input);
  var value = input.value, describedBy = input.getAttribute("aria-describedby");
  input.parentNode.removeChild(input);
  var timer = null;
  accessibleAutocomplete({
    element: wrapper,
    id: "search-q",
    name: "q",
    defaultValue: value,
    minLength: 2,
    confirmOnBlur: false,
    showNoOptionsFound: false,
    templates: window.Carrefour.autocompleteTemplates,
    tStatusQueryTooShort: function (n) { return "Tapez au moins " + n + " caractères pour des suggestions"; },
    tStatusNoResults: function () { return "Pas de suggestion"; },
    tStatusSelectedOption: function (o, l, i) { return o + " (" + (i + 1) + " sur " + l + ") est sélectionné"; },
    tStatusResults: function (l, c) { return l + " suggestion" + (l > 1 ? "s" : "") + ". " + c; },
    tAssistiveHint: function () { return "Flèches haut et bas pour parcourir les suggestions, Entrée pour choisir."; },
    source: function (query, populate) {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        fetch(endpoint + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { latest = data.results; populate(latest.map(function (s) { return s.label; })); })
          .catch(function () { populate([]); });
      }, 150);
    },
    onConfirm: function (label) {
      var chosen = latest.filter(function (s) { return s.label === label; })[0];
      if (chosen && chosen.url) { window.location.href = chosen.url; }
    }
  });
  var created = document.getElementById("search-q");
  if (created && describedBy) { created.setAttribute("aria-describedby", describedBy); }
})();
