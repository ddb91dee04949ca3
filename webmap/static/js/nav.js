/* On a phone the site navigation folds into a "Menu" disclosure button (CSS shows the button
   only below 40rem); without this script the navigation simply stays open. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector(".nav-toggle");
    if (!button) { return; }
    header.classList.add("nav-folds");
    button.addEventListener("click", function () {
      var open = !header.classList.contains("nav-open");
      header.classList.toggle("nav-open", open);
      button.setAttribute("aria-expanded", String(open));
    });
  });
}());
