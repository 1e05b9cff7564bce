/* Accessible autocomplete of communes, départements and régions on the project
   form (alphagov's accessible-autocomplete, served by the site). Without
   JavaScript the plain text field still works: the server resolves what was typed. */
(function () {
  "use strict";
  if (typeof accessibleAutocomplete === "undefined" || !window.Carrefour) { return; }
  var endpoint = document.documentElement.getAttribute("data-territories-api") || "/api/v1/territoires";

  function enhance(input) {
    if (input.dataset.enhanced) { return; }
    input.dataset.enhanced = "1";
    var wrapper = document.createElement("div");
    input.parentNode.insertBefore(wrapper, input);
    var name = input.name, id = input.id, value = input.value;
    var describedBy = input.getAttribute("aria-describedby");
    input.parentNode.removeChild(input);
    var timer = null;
    accessibleAutocomplete({
      element: wrapper,
      id: id,
      name: name,
      defaultValue: value,
      minLength: 2,
      showNoOptionsFound: true,
      templates: window.Carrefour.autocompleteTemplates,
      tNoResults: function () { return "Aucun territoire trouvé"; },
      tStatusQueryTooShort: function (n) { return "Tapez au moins " + n + " caractères"; },
      tStatusNoResults: function () { return "Aucun résultat"; },
      tStatusSelectedOption: function (o, l, i) { return o + " (" + (i + 1) + " sur " + l + ") est sélectionné"; },
      tStatusResults: function (l, c) { return l + " résultat" + (l > 1 ? "s" : "") + " disponible" + (l > 1 ? "s" : "") + ". " + c; },
      tAssistiveHint: function () { return "Utilisez les flèches haut et bas pour parcourir les propositions, Entrée pour choisir."; },
      source: function (query, populate) {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          fetch(endpoint + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
            .then(function (r) { return r.ok ? r.json() : { results: [] }; })
            .then(function (data) { populate(data.results.map(function (t) { return t.label; })); })
            .catch(function () { populate([]); });
        }, 150);
      }
    });
    var created = document.getElementById(id);
    if (created && describedBy) {
      created.setAttribute("aria-describedby", (created.getAttribute("aria-describedby") || "") + " " + describedBy);
    }
  }

  document.querySelectorAll("input[data-territory-autocomplete]").forEach(enhance);
})();
