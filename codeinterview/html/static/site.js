// Sorting and filtering of the leaderboard; inlined into every page, no library.
"use strict";

// Click a header to sort by that column (numbers as numbers, via data-sort); again to reverse.
function sortTable(table, col, th) {
  const descending = th.getAttribute("aria-sort") !== "descending";
  const key = (row) => row.cells[col].dataset.sort;
  const rows = Array.from(table.tBodies[0].rows);
  rows.sort((a, b) => {
    const x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
    const order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
    return descending ? -order : order;
  });
  rows.forEach((row) => table.tBodies[0].appendChild(row));
  table.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
  th.setAttribute("aria-sort", descending ? "descending" : "ascending");
}

document.querySelectorAll("table.sortable").forEach((table) => {
  table.querySelectorAll("th").forEach((th, col) => {
    th.addEventListener("click", () => sortTable(table, col, th));
    th.addEventListener("keydown", (e) => { if (e.key === "Enter") sortTable(table, col, th); });
  });
});

// Suite and language pick the pre-computed slice; the other filters hide rows:
// template, model, prompt kind and the models.yaml metadata (a row has several tags).
const ROW_FILTERS = ["template", "model", "kind", "size", "quantisation", "licence"];

function applyFilters() {
  const element = (name) => document.getElementById("f-" + name);
  const value = (name) => (element(name) ? element(name).value : "all");
  const bestOnly = element("best") !== null && element("best").checked;
  let shown = 0;
  document.querySelectorAll("table.leaderboard").forEach((table) => {
    const active = table.dataset.suite === value("suite") && table.dataset.language === value("language");
    table.hidden = !active;
    if (!active) return;
    Array.from(table.tBodies[0].rows).forEach((row) => {
      const match = ROW_FILTERS.every((f) => value(f) === "all" || row.dataset[f] === value(f))
        && (value("tags") === "all" || (row.dataset.tags || "").split(",").includes(value("tags")))
        && (!bestOnly || row.dataset.best === "yes");
      row.hidden = !match;
      shown += match ? 1 : 0;
    });
  });
  document.getElementById("shown-count").textContent = shown + " row(s) shown";
}

const filters = document.getElementById("filters");
if (filters) {
  filters.addEventListener("change", applyFilters);
  applyFilters();
}
