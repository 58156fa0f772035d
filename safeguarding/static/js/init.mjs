import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";
import { labelTables } from "/static/js/table-reflow.mjs";

// A browser running this module supports GOV.UK Frontend's JavaScript. js-enabled.js can only mark <body>
// on DOMContentLoaded, which comes after module scripts run, and initAll() does nothing until <body> has
// govuk-frontend-supported: without this line no component (error summary focus, skip link...) starts.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
labelTables();
// What htmx swaps in (a DRM item, search results) gets the same: its components started, its tables labelled.
// htmx fires htmx:load on each element it puts into the page (and once on <body>, already done above).
document.body.addEventListener("htmx:load", (event) => {
  if (event.target === document.body) return;
  initAll({ scope: event.target });
  labelTables(event.target);
});
