// Tables that reflow on a narrow screen (375 px): below GOV.UK's tablet breakpoint, reachable.css lays each
// row out as a block with each cell under its column's name. This gives every cell that name (data-label,
// from its column header, unless the template set one) and keeps the table's meaning for assistive
// technology once CSS no longer displays it as a table (explicit table roles). Run again after htmx swaps.
function labelTable(table) {
  const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  table.setAttribute("role", "table");
  table.querySelectorAll("tr").forEach((row) => row.setAttribute("role", "row"));
  table.querySelectorAll("thead th").forEach((th) => th.setAttribute("role", "columnheader"));
  table.querySelectorAll("tbody tr").forEach((row) => {
    [...row.children].forEach((cell, index) => {
      cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
      if (!cell.hasAttribute("data-label") && headers[index]) cell.setAttribute("data-label", headers[index]);
    });
  });
  table.classList.add("reachable-table--reflows");
}

export function labelTables(root = document) {
  root.querySelectorAll("table.govuk-table:not(.reachable-table--reflows)").forEach(labelTable);
}
