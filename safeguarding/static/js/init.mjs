import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";

// A browser running this module supports GOV.UK Frontend's JavaScript. js-enabled.js can only mark <body>
// on DOMContentLoaded, which comes after module scripts run, and initAll() does nothing until <body> has
// govuk-frontend-supported: without this line no component (error summary focus, skip link...) starts.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
