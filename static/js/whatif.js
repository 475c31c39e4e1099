/* The what-if panel's stage roles (pathways/forms/whatif.py, RoleField). The page writes each stage's role as a
   text box holding the role's name, and the model's roles once, as the options of <template id="whatif-roles">:
   a select of every role on every stage was a megabyte of the page at the app's limits. When a pathway's stages
   are opened (or are open as the page loads), each of its text boxes becomes a select of those options, with the
   box's id, name, label, message and invalid state; a name no role has stays in its box, beside its message. */
(function () {
  "use strict";

  function toSelect(input, options) {
    var value = input.value.trim().toLowerCase();
    var select = document.createElement("select");
    select.appendChild(options.cloneNode(true));
    var chosen = Array.prototype.filter.call(select.options, function (option) {
      return option.value.toLowerCase() === value || option.text.trim().toLowerCase() === value;
    })[0];
    if (!chosen) { return; }
    Array.prototype.forEach.call(input.attributes, function (attribute) {
      if (attribute.name === "type" || attribute.name === "value" || attribute.name === "data-role-choice") { return; }
      var text = attribute.value;
      if (attribute.name === "class") { text = text.replace(/\bform-control(-sm)?\b/g, "form-select$1"); }
      select.setAttribute(attribute.name, text);
    });
    chosen.selected = true;
    var focused = document.activeElement === input;
    input.parentNode.replaceChild(select, input);
    if (focused) { select.focus(); }
  }

  function upgrade(details) {
    var template = document.getElementById("whatif-roles");
    if (!template) { return; }
    (details || document).querySelectorAll("input[data-role-choice]").forEach(function (input) {
      var section = input.closest("details");
      if (section && section.open && (!details || section === details)) { toSelect(input, template.content); }
    });
  }

  // toggle does not bubble: listened for on its way down.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.tagName === "DETAILS" && details.open && details.querySelector("input[data-role-choice]")) { upgrade(details); }
  }, true);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { upgrade(null); });
  } else {
    upgrade(null);
  }
})();
