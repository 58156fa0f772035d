// The chronology's print view (templates/chronology/print.html): its "Print this page" button is shown, and
// prints, only where this script runs. A file of its own: the Content Security Policy allows no inline script.
for (const button of document.querySelectorAll("[data-chronology-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
