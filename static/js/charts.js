/* Draws every chart on the page from its JSON (json_script), and again after htmx swaps results in.
   Also keeps every request of the what-if panel on the panel's own address: a request still
   waiting when "Save as scenario" is pressed must not go to the save address. */
(function () {
  "use strict";
  // No toolbar: it would put focusable buttons inside an image-role element (and the
  // figures are in the table beside each chart).
  var config = { responsive: true, displaylogo: false, displayModeBar: false };

  function draw(root) {
    if (typeof Plotly === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart + "-data");
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      Plotly.react(el, figure.data, figure.layout, config);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    // Out-of-band swaps (field errors, the status line) fire this too: draw once, for the main swap.
    if (event.target === event.detail.target) { draw(event.detail.target); }
  });
  document.body.addEventListener("htmx:configRequest", function (event) {
    var form = document.getElementById("whatif-form");
    if (form && event.detail.elt === form) { event.detail.path = form.getAttribute("hx-post"); }
  });
})();
