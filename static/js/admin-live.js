// Live progress of a background job or an import in the admin, without reloading
// the page (a <meta http-equiv="refresh"> reloads it under the keyboard user's feet
// and fails WCAG 2.2.1). The region `[data-live-refresh="N"]` is fetched again
// every N seconds; its parts `[data-live-part]` are replaced by the fresh ones, the
// rest (the cancel form, where focus may be) is left alone. Once the fetched page
// has no live region any more (the job ended), the whole region is replaced once.
// Without JavaScript the page offers an « Actualiser » link instead.
(function () {
  "use strict";
  var region = document.querySelector("[data-live-refresh]");
  if (!region || !window.fetch || !window.DOMParser) return;
  var seconds = Math.max(2, parseInt(region.getAttribute("data-live-refresh"), 10) || 3);

  function replaceParts(fresh) {
    region.querySelectorAll("[data-live-part]").forEach(function (part) {
      var name = part.getAttribute("data-live-part");
      var next = fresh.querySelector('[data-live-part="' + name + '"]');
      if (next) part.replaceWith(next);
    });
  }

  function tick() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById(region.id);
        if (!fresh) return;
        if (fresh.hasAttribute("data-live-refresh")) {
          replaceParts(fresh);
          window.setTimeout(tick, seconds * 1000);
        } else {
          region.replaceWith(fresh);
        }
      })
      .catch(function () {
        window.setTimeout(tick, seconds * 2000);
      });
  }

  window.setTimeout(tick, seconds * 1000);
})();
