// Progressive enhancement only: every page works without JavaScript.
import { createAll, initAll } from "../dist/govuk-frontend.min.js";
import { SelectAll } from "./select-all.mjs";

initAll();
createAll(SelectAll);
