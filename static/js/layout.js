/* Every page: wide tables scroll sideways in a box of their own, so the page itself reflows down
   to 320 CSS pixels (WCAG 1.4.10), and a box that scrolls can be reached and scrolled with the
   keyboard (a tab stop named after its table's caption). Tables already in a .table-responsive box
   keep it. Again after htmx swaps new tables in, and when the window changes size. */
(function () {
  "use strict";

  function caption(box) {
    var text = box.querySelector("caption");
    var name = text ? text.textContent.replace(/\s+/g, " ").trim() : "";
    return (name ? name + ": " : "") + "table, scrolls sideways";
  }

  function wrap(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      if (table.closest(".table-responsive, .table-scroll")) { return; }
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  function reachable() {
    document.querySelectorAll("main .table-responsive, main .table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption(box));
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  function update(root) { wrap(root); reachable(); }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(reachable, 150);
  });
  document.addEventListener("DOMContentLoaded", function () { update(document); });
  document.body.addEventListener("htmx:afterSettle", function () { update(document); });
})();
