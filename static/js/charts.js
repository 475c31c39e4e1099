/* Draws every chart on the page from its JSON (json_script), and again after htmx swaps results in.
   Also keeps every request of the what-if panel on the panel's own address: a request still
   waiting when "Save as scenario" is pressed must not go to the save address. */
(function () {
  "use strict";
  // No toolbar: it would put focusable buttons inside an image-role element (and the
  // figures are in the table beside each chart).
  var config = { responsive: true, displaylogo: false, displayModeBar: false };

  function wrap(text, width) {
    var lines = [];
    var line = "";
    String(text).split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; } else { line = line ? line + " " + word : word; }
    });
    lines.push(line);
    return lines.join("<br>");
  }

  // On a phone (or a zoomed screen) a chart keeps its title whole, is tall enough to read, and long
  // category names are shortened on the axis (the table beside it names them in full).
  function fitted(el, figure) {
    var width = el.clientWidth;
    if (!width || width >= 576) { return figure.layout; }
    var layout = JSON.parse(JSON.stringify(figure.layout));
    var title = layout.title && layout.title.text;
    var lines = 1;
    if (title) {
      layout.title.text = wrap(title, Math.max(24, Math.floor(width / 9)));
      lines = layout.title.text.split("<br>").length;
      layout.title.font = Object.assign({}, layout.title.font, { size: 14 });
    }
    layout.font = Object.assign({}, layout.font, { size: 11 });
    layout.margin = Object.assign({}, layout.margin);
    layout.margin.t = Math.max(layout.margin.t || 0, 30 + 20 * lines);
    var horizontal = figure.data.some(function (trace) { return trace.orientation === "h"; });
    var axis = horizontal ? "yaxis" : "xaxis";
    var names = [];
    figure.data.forEach(function (trace) {
      (trace[horizontal ? "y" : "x"] || []).forEach(function (name) { if (names.indexOf(name) < 0) { names.push(name); } });
    });
    var room = horizontal ? Math.max(12, Math.floor(width / 16)) : 16;
    if (names.length && names.every(function (name) { return typeof name === "string"; })) {
      layout[axis] = Object.assign({}, layout[axis], {
        tickvals: names,
        ticktext: names.map(function (name) { return name.length > room ? name.slice(0, room - 1) + "…" : name; })
      });
    }
    if (!horizontal) { layout.height = Math.max(layout.height || 0, 460); }
    return layout;
  }

  function draw(root) {
    if (typeof Plotly === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart + "-data");
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      Plotly.react(el, figure.data, fitted(el, figure), config);
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
