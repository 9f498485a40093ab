// Progressive enhancement of the questionnaire form (it works without this script):
// - visual-analogue items get a slider synced to their number field;
// - answers are kept in localStorage while filling in, and restored after a reload;
// - the submission id is kept with them, so a retried submit can never create a second response;
// - the submit button is disabled while sending (the server is idempotent anyway).
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  if (!form) { return; }
  var key = form.dataset.formKey;
  var idField = form.querySelector("input[name=submission_id]");

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function save() {
    var data = { submission_id: idField.value, answers: {} };
    new FormData(form).forEach(function (value, name) {
      if (name !== "submission_id" && name !== "csrfmiddlewaretoken") { data.answers[name] = value; }
    });
    try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* private mode */ }
    var note = document.getElementById("saved-note");
    if (note) { note.hidden = false; }
  }

  form.querySelectorAll("[data-vas]").forEach(function (box) {
    var number = box.querySelector(".vas-number");
    var slider = document.createElement("input");
    slider.type = "range";
    slider.min = number.min; slider.max = number.max; slider.step = number.step;
    slider.value = number.value || (Number(number.min) + Number(number.max)) / 2;
    slider.className = number.value ? "vas-slider" : "vas-slider untouched";
    slider.setAttribute("aria-label", number.labels[0].textContent);
    slider.setAttribute("aria-describedby", number.getAttribute("aria-describedby"));
    slider.addEventListener("input", function () {
      number.value = slider.value;
      slider.classList.remove("untouched");
      save();
    });
    number.addEventListener("input", function () {
      if (number.value !== "") { slider.value = number.value; slider.classList.remove("untouched"); }
    });
    box.insertBefore(slider, number.labels[0]);
    box._slider = slider;
  });

  var saved = load();
  if (saved) {
    if (saved.submission_id) { idField.value = saved.submission_id; }
    Object.keys(saved.answers || {}).forEach(function (name) {
      var fields = form.querySelectorAll("[name='" + name + "']");
      fields.forEach(function (field) {
        if (field.type === "radio") { field.checked = field.value === saved.answers[name]; }
        else { field.value = saved.answers[name]; field.dispatchEvent(new Event("input")); }
      });
    });
  }
  form.addEventListener("change", save);
  form.addEventListener("input", save);

  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) { event.preventDefault(); return; }
    save();
    sending = true;
    var button = document.getElementById("submit-button");
    if (button) { button.setAttribute("aria-busy", "true"); button.textContent = "Sending…"; }
  });
})();
