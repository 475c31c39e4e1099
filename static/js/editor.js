/*
 * The pathway and cost model editors: add, remove and move formset rows in the
 * page instead of a round trip to the server. Without this file every one of
 * those buttons is a plain submit that the server handles (nothing is saved
 * until "Save"). Rows can also be dragged by their handle; the Up and Down
 * buttons remain the keyboard way to move them. It also fills an extra cost
 * from a Royal Mail letter price at a date (the editor and the what-if panel).
 */
(function () {
  "use strict";

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // A letter price's date is only asked for once a class is chosen: one tab stop a row, not four.
  function syncLetterPrice(box) {
    var choice = box.querySelector("[data-letter-class]");
    var day = box.querySelector("[data-letter-date]");
    if (choice && day && !day.classList.contains("is-invalid")) { day.hidden = !choice.value; }
  }

  function setup(container) {
    var prefix = container.getAttribute("data-formset");
    var noun = container.getAttribute("data-noun") || "row";
    var maxRows = parseInt(container.getAttribute("data-max-rows"), 10) || 1000;
    var body = container.querySelector("[data-formset-body]");
    var template = container.querySelector("template[data-empty-row]");
    var total = container.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var emptyNote = container.querySelector("[data-formset-empty]");
    var addButton = container.querySelector("[data-row-action='add']");
    var form = container.closest("form");
    var status = document.querySelector("[data-editor-status]");
    var pending = document.querySelector("[data-pending-notice]");
    var indexed = new RegExp("(^|[_\\s])" + escapeRegExp(prefix) + "-\\d+-", "g");
    var dragged = null;

    function rows() {
      return Array.prototype.slice.call(body.querySelectorAll(":scope > tr[data-formset-row]"));
    }

    function announce(message) {
      if (status) {
        status.textContent = "";
        window.setTimeout(function () { status.textContent = message; }, 50);
      }
      if (pending) { pending.hidden = false; }
      if (form) { form.setAttribute("data-dirty", "true"); }
    }

    // Give every row's fields the names of its new position: prefix-0-..., prefix-1-...
    function renumber() {
      var all = rows();
      all.forEach(function (row, i) {
        row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
          ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value) {
              el.setAttribute(attr, value.replace(indexed, "$1" + prefix + "-" + i + "-"));
            }
          });
        });
        row.querySelectorAll("button[data-row-action]").forEach(function (button) {
          button.value = button.getAttribute("data-row-action") + ":" + prefix + ":" + i;
        });
        row.querySelectorAll("[data-row-number]").forEach(function (el) { el.textContent = String(i + 1); });
        var group = row.querySelector("[role='group']");
        if (group) { group.setAttribute("aria-label", "Move or remove " + noun + " " + (i + 1)); }
      });
      total.value = String(all.length);
      if (emptyNote) { emptyNote.hidden = all.length > 0; }
    }

    function addRow() {
      if (rows().length >= maxRows) {
        announce("At most " + maxRows + " " + noun + "s.");
        return;
      }
      var index = rows().length;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.querySelector("tr");
      body.appendChild(row);
      row.querySelectorAll("[data-letter-price]").forEach(syncLetterPrice);
      enableDrag(row);
      renumber();
      var first = row.querySelector("input:not([type='hidden']), select, textarea");
      if (first) { first.focus(); }
      announce(noun.charAt(0).toUpperCase() + noun.slice(1) + " " + (index + 1) + " added.");
    }

    function move(row, direction, button) {
      var sibling = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
      if (!sibling) {
        announce("Already the " + (direction === "up" ? "first" : "last") + " " + noun + ".");
        return;
      }
      if (direction === "up") { body.insertBefore(row, sibling); } else { body.insertBefore(sibling, row); }
      renumber();
      button.focus();
      announce(noun.charAt(0).toUpperCase() + noun.slice(1) + " moved to position " + (rows().indexOf(row) + 1) + ".");
    }

    function remove(row) {
      var all = rows();
      var position = all.indexOf(row);
      row.remove();
      renumber();
      var left = rows();
      var next = left[Math.min(position, left.length - 1)];
      var target = next ? next.querySelector("[data-row-action='remove']") : addButton;
      if (target) { target.focus(); }
      announce(noun.charAt(0).toUpperCase() + noun.slice(1) + " " + (position + 1) + " removed.");
    }

    container.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-row-action]");
      if (!button || !container.contains(button)) { return; }
      var action = button.getAttribute("data-row-action");
      event.preventDefault();
      if (action === "add") { addRow(); return; }
      var row = button.closest("tr[data-formset-row]");
      if (action === "remove") { remove(row); } else { move(row, action, button); }
    });

    // Dragging: only while the handle is held, so that text in the fields can still be selected.
    function enableDrag(row) {
      var handle = row.querySelector("[data-drag-handle]");
      if (!handle) { return; }
      handle.hidden = false;
      handle.addEventListener("mousedown", function () { row.draggable = true; });
      handle.addEventListener("mouseup", function () { row.draggable = false; });
      row.addEventListener("dragstart", function (event) {
        dragged = row;
        row.classList.add("opacity-50");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", "");
      });
      row.addEventListener("dragend", function () {
        row.draggable = false;
        row.classList.remove("opacity-50");
        if (dragged) {
          dragged = null;
          renumber();
          announce(noun.charAt(0).toUpperCase() + noun.slice(1) + " moved to position " + (rows().indexOf(row) + 1) + ".");
        }
      });
      row.addEventListener("dragover", function (event) {
        if (!dragged || dragged === row || dragged.parentNode !== body) { return; }
        event.preventDefault();
        var box = row.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        body.insertBefore(dragged, after ? row.nextElementSibling : row);
      });
      row.addEventListener("drop", function (event) { event.preventDefault(); });
    }

    rows().forEach(enableDrag);
  }

  function warnBeforeLeaving(form) {
    form.addEventListener("input", function () { form.setAttribute("data-dirty", "true"); });
    form.addEventListener("change", function () { form.setAttribute("data-dirty", "true"); });
    form.addEventListener("submit", function () { form.removeAttribute("data-dirty"); });
    window.addEventListener("beforeunload", function (event) {
      if (form.getAttribute("data-dirty") === "true") {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  /*
   * Letter prices: choosing first or second class and a date fills the amount
   * beside it from the Royal Mail table embedded in the page (#letter-prices),
   * and says where the price came from. The server does the same on submit, so
   * without this file the choice still works; a date whose price is not known
   * changes nothing and says so. Typing an amount by hand drops the choice.
   */
  function letterPrices() {
    var table = null;
    var names = { first: "first class", second: "second class" };

    function longDate(iso) {
      var parts = iso.split("-");
      var months = ["January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December"];
      return String(parseInt(parts[2], 10)) + " " + months[parseInt(parts[1], 10) - 1] + " " + parts[0];
    }

    function priceOn(day) {
      if (day > table.checked_until) { return null; }
      var found = null;
      table.rows.forEach(function (row) { if (row.from <= day) { found = row; } });
      return found;
    }

    function update(box) {
      var choice = box.querySelector("[data-letter-class]");
      var dateInput = box.querySelector("[data-letter-date]");
      var source = box.querySelector("[data-letter-source]");
      var amount = box.parentElement.querySelector("[data-letter-amount]");
      var holder = document.getElementById("letter-prices");
      if (!choice || !amount || !holder) { return; }
      table = table || JSON.parse(holder.textContent);
      if (!choice.value) { source.textContent = ""; return; }
      var day = dateInput.value;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) { source.textContent = "Choose the date of the letter price."; return; }
      var row = priceOn(day);
      if (!row) {
        var first = table.rows.length ? longDate(table.rows[0].from) : "";
        source.textContent = "The Royal Mail letter price on " + longDate(day) + " is not known: the prices here run from " +
          first + " to " + longDate(table.checked_until) + ". Type the amount instead.";
        return;
      }
      amount.value = row[choice.value];
      source.textContent = "Royal Mail " + names[choice.value] + ", from " + row.from_text;
    }

    document.addEventListener("change", function (event) {
      var box = event.target.closest("[data-letter-price]");
      if (box && event.target.matches("[data-letter-class], [data-letter-date]")) {
        syncLetterPrice(box);
        update(box);
      }
    });
    document.addEventListener("input", function (event) {
      if (!event.target.matches("[data-letter-amount]")) { return; }
      var box = event.target.parentElement.querySelector("[data-letter-price]");
      if (!box) { return; }
      var choice = box.querySelector("[data-letter-class]");
      if (choice) { choice.value = ""; }
      box.querySelector("[data-letter-source]").textContent = "";
      syncLetterPrice(box);
    });
    document.querySelectorAll("[data-letter-price]").forEach(syncLetterPrice);
  }

  document.querySelectorAll("[data-formset]").forEach(setup);
  letterPrices();
  document.querySelectorAll("form[data-editor-form]").forEach(warnBeforeLeaving);
})();

/* The pathway editor's running total: the cost per patient and the staff minutes of the stages as
   typed, before saving (display only: the engine works out the saved figures exactly). */
(function () {
  "use strict";
  var box = document.querySelector("[data-running-total]");
  var rates = document.getElementById("role-rates");
  var form = box && box.closest("form");
  if (!box || !rates || !form) { return; }
  rates = JSON.parse(rates.textContent);
  var gbp = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" });

  function number(input) {
    if (!input) { return 0; }
    var text = input.value.replace(/[£,\s]/g, "");
    if (text === "") { return 0; }
    return /^\d+(\.\d*)?$|^\.\d+$/.test(text) ? Number(text) : NaN;
  }

  function update() {
    var pennies = 0;
    var minutes = 0;
    var unreadable = false;
    var missingRole = false;
    form.querySelectorAll("tr[data-formset-row]").forEach(function (row) {
      var minute = number(row.querySelector("[name$='-minutes']"));
      var extra = number(row.querySelector("[name$='-extra_cost']"));
      var role = row.querySelector("select[name$='-role']");
      if (isNaN(minute) || isNaN(extra)) { unreadable = true; return; }
      var rate = role && rates[role.value];
      if (minute && rate === undefined) { missingRole = true; }
      // A stage's staff cost to the penny, half up, as the engine does; then its extra cost.
      pennies += Math.round(minute * Number(rate || 0) / 60 * 100 + 1e-9) + Math.round(extra * 100);
      minutes += minute;
    });
    box.hidden = false;
    if (unreadable) {
      box.textContent = "As typed: a figure above is not a number yet, so there is no total.";
      return;
    }
    box.textContent = "As typed: " + gbp.format(pennies / 100) + " per patient, " +
      Math.round(minutes * 100) / 100 + " minutes of staff time" +
      (missingRole ? " (a stage with minutes has no role yet)" : "") + ". Worked out exactly when you save.";
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-row-action]")) { window.setTimeout(update, 0); }
  });
  update();
})();

/* A cohort's conditions: the disclosure's summary names the conditions ticked, as they are ticked. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var picker = event.target.closest && event.target.closest("[data-checkbox-picker]");
    if (!picker || event.target.type !== "checkbox") { return; }
    var chosen = [];
    picker.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      var label = picker.querySelector("label[for='" + box.id + "']");
      if (label) { chosen.push(label.textContent.trim() + "; "); }
    });
    picker.querySelector("[data-chosen]").textContent = chosen.join("");
  });
})();
