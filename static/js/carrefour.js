/* Carrefour — progressive enhancements only: every page works without this file. */
(function () {
  "use strict";
  // Move focus to the error summary so keyboard and screen-reader users hear it first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  // Submit the language switcher as soon as a language is chosen (the button stays for no-JS).
  var switcher = document.getElementById("language-select");
  if (switcher) {
    switcher.addEventListener("change", function () { switcher.form.submit(); });
  }
})();
