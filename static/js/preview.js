// Appends the app's log lines to the Run panel as `preview-log` events arrive (no request
// per event). Each event carries the number of its first line, so a line is shown once even
// when the panel was re-drawn in between (the panel renders the log up to `data-last`).
(function () {
  "use strict";
  var KEEP = 500; // lines kept on the page; the runner keeps the whole log

  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    if (!event.target.matches || !event.target.matches("[data-preview-events]")) return;
    event.preventDefault();
    var log = document.getElementById("preview-log");
    if (!log) return;
    var data;
    try {
      data = JSON.parse(event.detail.data);
    } catch (error) {
      return; // a malformed event changes nothing
    }
    if (data.preview_id !== log.getAttribute("data-preview")) return;
    var last = Number(log.getAttribute("data-last") || 0);
    var atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    (data.lines || []).forEach(function (line, index) {
      var number = data.first_line + index;
      if (number <= last) return;
      log.appendChild(document.createTextNode(line + "\n"));
      last = number;
    });
    log.setAttribute("data-last", String(last));
    while (log.childNodes.length > KEEP) log.removeChild(log.firstChild);
    if (atBottom) log.scrollTop = log.scrollHeight;
  });
})();
