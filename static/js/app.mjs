// Progressive enhancement only: every page works without JavaScript.
import { createAll, initAll } from "../dist/govuk-frontend.min.js";
import { ImportProgress } from "./import-progress.mjs";
import { SelectAll } from "./select-all.mjs";

initAll();
createAll(SelectAll);
createAll(ImportProgress);

// Wide tables: show "Scroll sideways to see all columns" only above a table that is cut off.
function markCutTables() {
  for (const box of document.querySelectorAll("[data-vh-table-scroll]")) {
    const hint = document.getElementById(box.getAttribute("aria-describedby"));
    if (hint) {
      hint.classList.toggle("vh-table-scroll__hint--needed", box.scrollWidth > box.clientWidth + 1);
    }
  }
}
markCutTables();
window.addEventListener("resize", markCutTables);
