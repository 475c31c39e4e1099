/* Every page: a delete asks for confirmation first (form[data-confirm]). Wide tables scroll sideways in a box of their own, so the page itself reflows down
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
        box.removeAttribute("aria-labelledby");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  function update(root) { wrap(root); reachable(); }

  // A form that deletes asks first (its data-confirm says what, and whether it can be restored).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(reachable, 150);
  });
  // After a refused form, the message that says what to fix takes the focus (it is read out first).
  function focusErrorSummary() {
    var summary = document.querySelector("main .alert-danger");
    if (!summary || document.activeElement !== document.body) { return; }
    if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
    summary.focus();
  }

  // A field's message swapped in by htmx (the what-if panel: "<name>-error") marks its field invalid or valid again.
  function markSwappedErrors() {
    document.querySelectorAll("form[hx-post] .invalid-feedback[id$='-error']").forEach(function (message) {
      var name = message.id.slice(0, -"-error".length);
      var field = message.closest("form").elements.namedItem(name);
      if (!field || !field.setAttribute) { return; }
      var invalid = message.textContent.trim() !== "";
      var described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && id !== message.id;
      });
      if (invalid) {
        field.setAttribute("aria-invalid", "true");
        described.unshift(message.id);
      } else {
        field.removeAttribute("aria-invalid");
      }
      field.classList.toggle("is-invalid", invalid);
      if (described.length) { field.setAttribute("aria-describedby", described.join(" ")); } else { field.removeAttribute("aria-describedby"); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { update(document); focusErrorSummary(); });
  document.body.addEventListener("htmx:afterSettle", function () { update(document); markSwappedErrors(); });
})();
