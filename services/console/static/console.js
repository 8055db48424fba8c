// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // The place picker: the township list shows only the chosen county's townships.
  document.querySelectorAll("select[data-townships]").forEach(function (county) {
    var township = document.getElementById(county.getAttribute("data-townships"));
    if (!township) return;
    function filter() {
      township.querySelectorAll("optgroup").forEach(function (group) {
        var mine = group.getAttribute("data-county") === county.value;
        group.hidden = !mine; group.disabled = !mine;
      });
      var chosen = township.selectedOptions[0];
      if (chosen && chosen.parentElement.tagName === "OPTGROUP" && chosen.parentElement.disabled) township.value = "";
    }
    county.addEventListener("change", filter);
    filter();
  });
  // The placement form: the work place follows the chosen posting.
  document.querySelectorAll("select[data-fills]").forEach(function (select) {
    var target = document.getElementById(select.getAttribute("data-fills"));
    select.addEventListener("change", function () {
      var option = select.selectedOptions[0];
      if (target && option) target.value = option.getAttribute("data-region") || "";
    });
  });
  // Print buttons.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // A batch run's progress bar, polled until the run ends; then the page reloads to show the outcome.
  var run = document.querySelector("[data-progress-url]");
  if (run && run.getAttribute("data-finished") !== "1") {
    var url = run.getAttribute("data-progress-url");
    var poll = function () {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer.status); })
        .then(function (p) {
          document.getElementById("bar").value = p.percent;
          document.getElementById("percent").textContent = p.percent + "%";
          document.getElementById("status-text").textContent = p.status_text;
          document.getElementById("items-done").textContent = p.items_done;
          document.getElementById("items-total").textContent = p.items_total;
          if (p.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 500);
  }
})();
