// Kept as a file rather than an inline script so the Content Security Policy can forbid inline script.
document.body
  ? document.body.classList.add("js-enabled")
  : document.documentElement.classList.add("js-enabled");
document.addEventListener("DOMContentLoaded", function () {
  document.body.classList.add("js-enabled");
  if ("noModule" in HTMLScriptElement.prototype) {
    document.body.classList.add("govuk-frontend-supported");
  }
});
