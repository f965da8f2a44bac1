// Applies the live events of a running version to its page: the bar, the stage, the time
// left and the files so far. The page re-reads its state once per connection (htmx, on the
// stream's "stream-open" event); each progress event after that is applied here, with no
// request to the server. The event's JSON is the contract (docs/events.md).
(function () {
  "use strict";

  function describeTimeLeft(seconds) {
    if (seconds === undefined || seconds === null) return null;
    return seconds >= 1.5 ? "About " + Math.round(seconds) + " s left" : "Finishing...";
  }

  function showFile(list, path, action) {
    var empty = list.querySelector("li.empty");
    if (empty) empty.remove();
    var item = null;
    list.querySelectorAll("li[data-path]").forEach(function (li) {
      if (li.getAttribute("data-path") === path) item = li;
    });
    if (!item) {
      item = document.createElement("li");
      item.setAttribute("data-path", path);
      list.appendChild(item);
    }
    var badge = document.createElement("span");
    badge.className = "action " + action;
    badge.textContent = action;
    item.replaceChildren(badge, document.createTextNode(" " + path));
  }

  function apply(panel, data) {
    // The bar moves by tenths of a percent (a long run moves less than 1% a second); the
    // words round to whole percents.
    var exact = Math.round(data.progress * 1000) / 10;
    var percent = Math.round(exact);
    var bar = panel.querySelector("[data-testid=progress]");
    if (bar && exact >= Number(bar.getAttribute("aria-valuenow") || 0)) {
      bar.value = exact;
      bar.textContent = percent + "%";
      bar.setAttribute("aria-valuenow", String(exact));
      bar.setAttribute("aria-valuetext", data.message + " (" + percent + "%)");
      var stage = panel.querySelector("[data-testid=stage]");
      if (stage) {
        stage.querySelector("strong").textContent = percent + "%";
        stage.querySelector("[data-message]").textContent = data.message;
      }
    }
    var eta = panel.querySelector("[data-testid=eta]");
    var left = describeTimeLeft(data.eta_seconds);
    if (eta) {
      eta.hidden = left === null;
      eta.textContent = left || "";
    }
    var status = panel.querySelector("[data-testid=status]");
    if (status && data.status === "processing" && status.textContent !== "Processing") {
      status.textContent = "Processing";
      status.className = "badge status-processing";
    }
    var main = document.getElementById("version-main");
    if (main && data.status === "processing") main.setAttribute("data-status", "processing");
    var list = panel.querySelector("[data-testid=live-files]");
    if (list && data.stage === "file_generated" && data.file) {
      showFile(list, data.file, data.action || "changed");
    }
    var thinking = panel.querySelector("[data-testid=thinking]");
    if (thinking && typeof data.thinking === "string" && data.thinking) {
      // The model's reasoning, folded: shown as text, never read as the answer.
      thinking.hidden = false;
      thinking.querySelector("pre").textContent = data.thinking;
    }
  }

  // Events applied since the panel asked the server for its state: that answer was rendered
  // before them, so they are applied again once it is swapped in (the bar never goes back).
  var sinceReread = null;

  // htmx-ext-sse hands each "progress" event to the element with sse-swap="progress";
  // it is applied here instead of being swapped in as HTML.
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    if (!event.target.matches || !event.target.matches("[data-live-events]")) return;
    event.preventDefault();
    var panel = document.getElementById("live-panel");
    if (!panel) return;
    try {
      var data = JSON.parse(event.detail.data);
      apply(panel, data);
      if (sinceReread) sinceReread.push(data);
    } catch (error) {
      // A malformed event changes nothing; the next one, or the next connection, does.
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target.id === "live-panel") sinceReread = [];
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id !== "live-panel" || !sinceReread) return;
    var missed = sinceReread;
    sinceReread = null;
    missed.forEach(function (data) {
      apply(event.target, data);
    });
  });

  // Cancel says so at once; the run's final event then replaces the page.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-cancel]");
    if (!form) return;
    var button = form.querySelector("button");
    button.textContent = "Cancelling...";
    button.disabled = true;
  });
})();
