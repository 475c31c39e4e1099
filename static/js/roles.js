/* Staff roles screens: fill a role's cost from the reference data, show the
 * resulting rate as it is typed, make the key from the name (deletes are confirmed by layout.js).
 *
 * The page works without this file: the pickers are then GET forms that the
 * server answers with the form filled in, and the server computes every saved
 * figure with the costing engine. What this file shows is for display only.
 */
(function () {
  "use strict";

  var gbp2 = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var gbp4 = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", minimumFractionDigits: 4, maximumFractionDigits: 4 });

  // A number as typed: "£33,000" and "28.5 %" are numbers; "" or "abc" is not.
  function amount(input) {
    if (!input) { return null; }
    var text = input.value.replace(/[£%,\s]/g, "");
    if (text === "" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) { return null; }
    var value = Number(text);
    return isFinite(value) ? value : null;
  }

  // Like Django's slugify: ASCII letters and digits, words joined by hyphens.
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\x00-\x7F]/g, "").toLowerCase()
      .replace(/[^\w\s-]/g, "").trim().replace(/[-\s]+/g, "-")
      .slice(0, 50).replace(/^[-_]+|[-_]+$/g, "");
  }

  function radioValue(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }

  function setRadio(form, name, value) {
    var radio = form.querySelector('input[name="' + name + '"][value="' + value + '"]');
    if (radio) { radio.checked = true; }
  }

  function radioLabel(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    if (!checked) { return ""; }
    var label = form.querySelector('label[for="' + checked.id + '"]');
    return label ? label.textContent.trim().toLowerCase() : "";
  }

  function roleForm(form, reference) {
    var field = function (name) { return form.elements.namedItem(name); };
    var preview = document.getElementById("role-rate-preview");
    var status = document.getElementById("role-picker-status");
    var sections = form.querySelectorAll("[data-entry]");

    function showEntry() {
      var method = radioValue(form, "entry_method");
      sections.forEach(function (section) {
        section.hidden = method !== "" && section.getAttribute("data-entry") !== method;
      });
    }

    function updatePreview() {
      var method = radioValue(form, "entry_method");
      var perHour = null;
      var how = "";
      if (method === "hourly") {
        perHour = amount(field("cost_per_hour"));
        if (perHour === null) { how = "Type a cost per hour to see the cost per minute."; }
      } else if (method === "salary") {
        var salary = amount(field("annual_salary"));
        var onCosts = amount(field("on_cost_percent"));
        var hours = amount(field("paid_hours_per_year"));
        if (salary === null || onCosts === null || hours === null || hours <= 0) {
          how = "Type the salary, on-costs and paid hours to see the cost per hour.";
        } else {
          perHour = salary * (1 + onCosts / 100) / hours;
        }
      }
      if (perHour === null || perHour < 0) {
        preview.textContent = how || "Choose how to enter the cost.";
        return;
      }
      var basis = radioLabel(form, "cost_basis");
      preview.textContent = gbp2.format(perHour) + " an hour, " + gbp4.format(perHour / 60) + " a minute" +
        (basis ? " — " + basis : "") + ". Worked out exactly when you save.";
    }

    // The key follows the name until someone types a key.
    var key = field("key");
    var name = field("name");
    var keyFollowsName = key && name && (key.value === "" || key.value === slugify(name.value));
    if (key && name) {
      name.addEventListener("input", function () {
        if (keyFollowsName) { key.value = slugify(name.value); }
      });
      key.addEventListener("input", function () { keyFollowsName = key.value === ""; });
    }

    form.addEventListener("input", updatePreview);
    form.addEventListener("change", function () { showEntry(); updatePreview(); });
    showEntry();
    // After a validation error too: the figures as typed, beside the messages that say what to fix.
    if (radioValue(form, "entry_method") && (form.querySelector(".is-invalid") !== null || !preview.dataset.saved)) {
      updatePreview();
    }

    function fill(values, description) {
      Object.keys(values).forEach(function (name) {
        if (name === "entry_method" || name === "cost_basis") {
          setRadio(form, name, values[name]);
        } else if (field(name)) {
          field(name).value = values[name];
        }
      });
      showEntry();
      updatePreview();
      status.textContent = "Filled in from " + description + ". " + preview.textContent;
    }

    var payband = document.getElementById("payband-picker");
    if (payband) {
      var scaleSelect = payband.elements.namedItem("payband-scale");
      var bandSelect = payband.elements.namedItem("payband-band");
      var pointSelect = payband.elements.namedItem("payband-point");
      var chosenScale = function () {
        return reference.scales.find(function (s) { return s.key === scaleSelect.value; });
      };
      var chosenBand = function () {
        var scale = chosenScale();
        return scale && scale.bands.find(function (b) { return b.band === bandSelect.value; });
      };
      var refreshBands = function () {
        var scale = chosenScale();
        if (!scale) { return; }
        var wanted = bandSelect.value;
        bandSelect.replaceChildren();
        scale.bands.forEach(function (band) {
          bandSelect.add(new Option(band.band_label, band.band, false, band.band === wanted));
        });
        refreshPoints();
      };
      // Only the points the band has: entry and top, an intermediate point, or a range's minimum and maximum.
      var refreshPoints = function () {
        var band = chosenBand();
        if (!band) { return; }
        var wanted = pointSelect.value;
        var keep = band.point_order.indexOf(wanted) >= 0 ? wanted : band.point_order[0];
        pointSelect.replaceChildren();
        band.point_order.forEach(function (key) {
          pointSelect.add(new Option(band.points[key].label, key, false, key === keep));
        });
      };
      scaleSelect.addEventListener("change", refreshBands);
      bandSelect.addEventListener("change", refreshPoints);
      refreshBands();
      payband.addEventListener("submit", function (event) {
        var scale = chosenScale();
        var band = chosenBand();
        var point = band && band.points[pointSelect.value];
        if (!point) { return; } // let the server say what is wrong
        event.preventDefault();
        var values = {
          band: band.band_text,
          entry_method: "salary",
          annual_salary: point.annual_salary,
          paid_hours_per_year: reference.paid_hours_per_year,
          cost_basis: "salary_on_costs"
        };
        if (point.on_cost_percent !== null) { values.on_cost_percent = point.on_cost_percent; }
        var bandName = band.band_label.charAt(0).toLowerCase() + band.band_label.slice(1);
        fill(values, scale.name + ", " + bandName + ", " + point.label.toLowerCase());
      });
    }

    var unitcost = document.getElementById("unitcost-picker");
    if (unitcost) {
      var option = unitcost.elements.namedItem("unitcost-option");
      unitcost.addEventListener("submit", function (event) {
        var chosen = reference.unit_costs.find(function (u) { return u.value === option.value; });
        if (!chosen) { return; }
        event.preventDefault();
        fill({ entry_method: "hourly", cost_per_hour: chosen.cost_per_hour, cost_basis: "full_unit_cost" },
          "PSSRU unit cost: " + chosen.label);
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("role-form");
    var data = document.getElementById("role-reference");
    if (form) {
      roleForm(form, data ? JSON.parse(data.textContent) : { scales: [], unit_costs: [] });
    }
  });
})();
