// Compute Deals: every long table of a page (class cd-searchable, report/present.py) becomes
// searchable, sortable and filterable with DataTables, loaded from the book by dt-for-itables.js.
// The table stays the page's own HTML: without JavaScript, and in print, it reads as it is.
(() => {
  const options = {
    paging: false, // every row stays on the page (the page shows a hundred at most), so it prints whole
    order: [], // the page's own order first; a click on a heading sorts by it
    autoWidth: false,
    layout: { topStart: "search", topEnd: "info", bottomStart: null, bottomEnd: null },
    // A menu on each heading: sort, or keep only the rows whose value in that column matches.
    columnControl: ["order", ["orderAsc", "orderDesc", "spacer", "search"]],
    ordering: { indicators: false, handler: false },
    language: { search: "Search the table:", info: "_TOTAL_ rows", infoFiltered: "(of _MAX_)" },
  };
  const domReady = new Promise((resolve) =>
    document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", resolve) : resolve());
  Promise.all([window.computeDealsDataTables, domReady]).then(([{ ITable }]) => {
    document.querySelectorAll("table.cd-searchable").forEach((table) => new ITable(table, options));
  });
})();
