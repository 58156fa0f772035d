// Live countdowns for deadline clocks, and the manners of the pages that refresh themselves with htmx.
// The server renders every clock's time left as text ("Due 14:05 (40 minutes left)"), so the page is right
// without JavaScript; this only keeps that text current once a second. Nothing it changes is aria-live:
// a screen reader reads the time left when the user reaches it, and is not interrupted every second.
(function () {
  "use strict";

  var SECOND = 1000;
  // Stop self-refreshing after this long without a key press, click, scroll or touch, so a page left open
  // does not keep the session alive for ever (sessions end after 30 minutes without a request).
  var IDLE_LIMIT = 10 * 60 * SECOND;
  var lastActivity = Date.now();

  // Keep in step with describe_duration in safeguarding/deadlines/views.py.
  function units(number, unit) {
    return number + " " + unit + (number === 1 ? "" : "s");
  }

  function describeDuration(milliseconds) {
    var seconds = Math.floor(Math.abs(milliseconds) / SECOND);
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    seconds = seconds % 60;
    if (days) return units(days, "day") + (hours ? " " + units(hours, "hour") : "");
    if (hours) return units(hours, "hour") + (minutes ? " " + units(minutes, "minute") : "");
    if (minutes) return units(minutes, "minute") + (seconds ? " " + units(seconds, "second") : "");
    return units(seconds, "second");
  }

  function setTag(tag, label, colourClass) {
    if (!tag || tag.textContent === label) return;
    tag.className = "govuk-tag " + colourClass;
    tag.textContent = label;
  }

  function tick() {
    var rows = document.querySelectorAll("[data-clock][data-clock-due]");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      // The server's clock decides, not the browser's: remember how far apart they were when the row came.
      if (row.reachableClockOffset === undefined) {
        var serverNow = Date.parse(row.getAttribute("data-clock-now"));
        row.reachableClockOffset = isNaN(serverNow) ? 0 : serverNow - Date.now();
      }
      var due = Date.parse(row.getAttribute("data-clock-due"));
      if (isNaN(due)) continue;
      var now = Date.now() + row.reachableClockOffset;
      var remaining = due - now;
      var text = row.querySelector("[data-clock-remaining]");
      if (text) {
        var wording = describeDuration(remaining) + (remaining > 0 ? " left" : " overdue");
        if (text.textContent !== wording) text.textContent = wording;
      }
      if (row.getAttribute("data-clock-status") === "running") {
        var warn = Date.parse(row.getAttribute("data-clock-warn"));
        var tag = row.querySelector("[data-clock-tag]");
        if (remaining <= 0) setTag(tag, "Overdue", "govuk-tag--red");
        else if (!isNaN(warn) && now >= warn) setTag(tag, "Due soon", "govuk-tag--yellow");
      }
    }
  }

  function noteActivity() {
    lastActivity = Date.now();
  }

  ["keydown", "mousedown", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, noteActivity, { passive: true, capture: true });
  });

  // htmx polling ("every 30s"): skip a refresh while the user is idle; it carries on when they come back.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (
      element &&
      element.hasAttribute("data-poll-while-active") &&
      Date.now() - lastActivity > IDLE_LIMIT
    ) {
      event.preventDefault();
    }
  });

  // A refresh after the session ended comes back as the sign-in page: go there properly instead of
  // swapping it into the middle of this one.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname.indexOf("/sign-in") === 0) {
      event.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
    }
  });

  tick();
  window.setInterval(tick, SECOND);
})();
